"""The validator as the chaos harness runs it (`python -m tests.chaos.validator`): every host
name resolves to this machine, where the harness serves the tenants' pages."""

from a2p_shared.service_app import serve
from a2p_validator.adapters.fetcher import HttpPageFetcher
from a2p_validator.app import create_app
from a2p_validator.settings import ValidatorSettings

from tests.sites import to_loopback

if __name__ == "__main__":
    settings = ValidatorSettings()
    fetcher = HttpPageFetcher(allow_private_network=True, resolver=to_loopback)
    serve(create_app(settings, fetcher=fetcher), settings)
