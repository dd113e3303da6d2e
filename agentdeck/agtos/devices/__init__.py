"""agtOS devices: registration, the lifecycle, trust levels and shared-secret authentication.

**Lifecycle.** A device registers as ``pending``; the operator makes it ``active``; an active
device can be ``suspended`` and made ``active`` again; any device that is not yet revoked can be
``revoked``, after which nothing about it changes any more: it must register again (as a new
device, with a new id). Any other change of status is a ``Conflict`` (409).

**Identity.** A registration conflicts (409) with a device of the same ``deviceType``,
``platform`` and ``name`` that is not revoked.

**Trust levels.** 0 anonymous (no secret, registered without an API key); 1 basic (no secret,
registered while ``AGTOS_API_KEY`` was required); 2 verified (it has a shared secret); 3 trusted
(verified, with at least ``TRUSTED_AFTER`` successful authentications in a row and registered at
least ``TRUSTED_AGE`` ago). A revoked device is 0. A failed authentication restarts the count.

**Secrets** are kept as argon2id hashes and never returned or logged.
"""
from agentdeck.agtos.devices.registry import (DEVICE_TYPES, STATUSES, TRUSTED_AFTER, TRUSTED_AGE,
                                              AuthOutcome, authenticate_device, delete_device,
                                              get_device, link_device, list_devices,
                                              register_device, update_device)

__all__ = ["AuthOutcome", "DEVICE_TYPES", "STATUSES", "TRUSTED_AFTER", "TRUSTED_AGE",
           "authenticate_device", "delete_device", "get_device", "link_device", "list_devices",
           "register_device", "update_device"]
