from a2p_intake.app import create_app
from a2p_intake.settings import IntakeSettings
from a2p_shared.service_app import serve

settings = IntakeSettings()
serve(create_app(settings), settings)
