"""Maps the repository's top-level folders into the one `agentdeck` import namespace.

Metadata lives in pyproject.toml; this file only says where each `agentdeck.*` package comes from,
because pyproject's static `packages` list cannot prefix sub-packages found under another folder.
"""
from setuptools import find_packages, setup

FOLDERS = {"agentdeck": "agentdeck", "agentdeck.handlers": "handlers",
           "agentdeck.plugins": "plugins", "agentdeck.storage": "storage"}


def _packages():
    packages, package_dir = [], {"agentdeck.openapi": "openapi"}
    for namespace, folder in FOLDERS.items():
        package_dir[namespace] = folder
        packages.append(namespace)
        packages += [f"{namespace}.{sub}" for sub in find_packages(folder)]
    packages.append("agentdeck.openapi")
    return packages, package_dir


PACKAGES, PACKAGE_DIR = _packages()

setup(
    packages=PACKAGES,
    package_dir=PACKAGE_DIR,
    package_data={"agentdeck.openapi": ["*.yaml", "components/*.yaml"],
                  "agentdeck.agtos.models": ["catalog.yaml"]},  # the shipped model catalog
)
