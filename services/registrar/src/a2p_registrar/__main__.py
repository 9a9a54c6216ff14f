from a2p_registrar.app import create_app
from a2p_registrar.settings import RegistrarSettings
from a2p_shared.service_app import serve

settings = RegistrarSettings()
serve(create_app(settings), settings)
