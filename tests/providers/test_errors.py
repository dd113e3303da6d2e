"""How upstream failures become provider error classes, and what those errors carry."""
from __future__ import annotations

import email.utils
import time

import pytest

from agentdeck.outbound import OutboundRefused
from agentdeck.providers import (ProviderAuthError, ProviderBadRequest, ProviderError,
                                 ProviderNotInstalled, ProviderOutOfCredit, ProviderRateLimited,
                                 ProviderTimeout, ProviderUpstreamError, ProviderURLRefused)
from agentdeck.providers.errors import error_class, error_for, parse_retry_after, redact

CLASSES = [ProviderAuthError, ProviderRateLimited, ProviderOutOfCredit, ProviderTimeout,
           ProviderUpstreamError, ProviderBadRequest, ProviderURLRefused, ProviderNotInstalled]


def test_each_class_has_its_own_kind():
    kinds = [cls.kind for cls in CLASSES]
    assert len(set(kinds)) == len(kinds)
    assert all(issubclass(cls, ProviderError) for cls in CLASSES)


@pytest.mark.parametrize("status, expected", [
    (401, ProviderAuthError), (403, ProviderAuthError), (429, ProviderRateLimited),
    (402, ProviderOutOfCredit), (408, ProviderTimeout), (500, ProviderUpstreamError),
    (502, ProviderUpstreamError), (503, ProviderUpstreamError), (529, ProviderUpstreamError),
    (400, ProviderBadRequest), (404, ProviderBadRequest), (422, ProviderBadRequest),
])
def test_status_decides_the_class(status, expected):
    assert error_class(status) is expected


@pytest.mark.parametrize("status, error_type, message", [
    (429, "insufficient_quota", "You exceeded your current quota"),
    (400, "invalid_request_error", "Your credit balance is too low to access the Anthropic API."),
    (402, None, "Insufficient credits"),
    (403, "billing_error", "billing"),
])
def test_credit_bodies_mean_out_of_credit_whatever_the_status(status, error_type, message):
    assert error_class(status, error_type, message) is ProviderOutOfCredit


@pytest.mark.parametrize("error_type, expected", [
    ("overloaded_error", ProviderUpstreamError), ("rate_limit_error", ProviderRateLimited),
    ("authentication_error", ProviderAuthError), ("invalid_request_error", ProviderBadRequest),
    (None, ProviderUpstreamError), ("something_new", ProviderUpstreamError),
])
def test_errors_inside_a_stream_are_classed_by_their_type(error_type, expected):
    assert error_class(None, error_type) is expected
    assert error_class(200, error_type) is expected


def test_error_for_carries_status_retry_after_and_provider():
    error = error_for("openai", 429, error_type="rate_limit_exceeded", message="slow down",
                      headers={"Retry-After": "12"})
    assert isinstance(error, ProviderRateLimited)
    assert (error.provider, error.status, error.retry_after, error.code) == ("openai", 429, 12.0,
                                                                              "rate_limit_exceeded")
    assert error.to_dict() == {"kind": "rate_limited", "message": "slow down", "provider": "openai",
                               "status": 429, "retry_after": 12.0, "code": "rate_limit_exceeded"}
    assert "openai" in str(error) and "429" in str(error)


def test_error_for_cuts_the_key_out_of_the_message():
    error = error_for("openai", 401, message="Incorrect API key provided: sk-live-abcdef123456",
                      secret="sk-live-abcdef123456")
    assert "sk-live-abcdef123456" not in str(error)
    assert "***" in error.message


@pytest.mark.parametrize("headers, expected", [
    ({"retry-after": "3"}, 3.0), ({"Retry-After": "0.5"}, 0.5), ({"retry-after-ms": "1500"}, 1.5),
    ({"retry-after": "soon"}, None), ({}, None), ({"retry-after": "-4"}, 0.0),
])
def test_parse_retry_after(headers, expected):
    assert parse_retry_after(headers) == expected


def test_parse_retry_after_http_date():
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= parse_retry_after({"Retry-After": later}) <= 31


def test_retryable_classes():
    assert ProviderRateLimited.retryable and ProviderTimeout.retryable
    assert ProviderUpstreamError.retryable
    assert not (ProviderAuthError.retryable or ProviderBadRequest.retryable
                or ProviderOutOfCredit.retryable)


def test_refused_url_is_a_bad_request_and_an_outbound_refusal():
    error = ProviderURLRefused("nope", provider="openai")
    assert isinstance(error, ProviderBadRequest) and isinstance(error, OutboundRefused)
    assert isinstance(error, ValueError)


def test_not_installed_is_a_lookup_error():
    assert issubclass(ProviderNotInstalled, LookupError)


def test_redact_leaves_short_or_missing_secrets_alone():
    assert redact("abc", None) == "abc"
    assert redact("a b c", "b") == "a b c"
