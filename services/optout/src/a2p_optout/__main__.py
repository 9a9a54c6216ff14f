from a2p_optout.app import create_app
from a2p_optout.settings import OptoutSettings
from a2p_shared.service_app import serve

settings = OptoutSettings()
serve(create_app(settings), settings)
