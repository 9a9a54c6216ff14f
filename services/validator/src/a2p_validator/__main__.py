from a2p_shared.service_app import serve
from a2p_validator.app import create_app
from a2p_validator.settings import ValidatorSettings

settings = ValidatorSettings()
serve(create_app(settings), settings)
