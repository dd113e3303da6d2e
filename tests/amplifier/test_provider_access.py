"""Provider failures as statuses, and providers shared across messages."""
import pytest

from agentdeck.amplifier.bundle import ProviderChoice
from agentdeck.amplifier.provider_access import ProviderPool, failure_status, provider_failure
from agentdeck.errors import InvalidInput
from agentdeck.providers.errors import (ProviderAuthError, ProviderBadRequest, ProviderOutOfCredit,
                                        ProviderRateLimited, ProviderTimeout, ProviderUpstreamError)


@pytest.mark.parametrize("error, status", [(ProviderAuthError, 401), (ProviderOutOfCredit, 402),
                                           (ProviderRateLimited, 429), (ProviderTimeout, 504),
                                           (ProviderUpstreamError, 502), (ProviderBadRequest, 400)])
def test_statuses(error, status):
    assert failure_status(error("x")) == status


def test_retry_after_is_rounded_up_to_a_whole_second():
    failure = provider_failure(ProviderRateLimited("slow down", provider="openai", retry_after=0.2))
    assert failure.status == 429 and failure.headers == {"Retry-After": "1"}
    assert failure.message.startswith("Provider error: openai: slow down")


async def test_pool_shares_a_provider_per_config_and_refuses_unknown_modules(settings):
    pool = ProviderPool(size=2)
    echo = ProviderChoice("echo", "provider-echo", {"prefix": "a"})
    assert pool.get(echo) is pool.get(ProviderChoice("echo", "echo", {"prefix": "a"}))
    assert pool.get(echo) is not pool.get(ProviderChoice("echo", "echo", {"prefix": "b"}))
    with pytest.raises(InvalidInput, match="provider-nope"):
        pool.get(ProviderChoice("nope", "provider-nope", {}))
