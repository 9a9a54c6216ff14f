from a2p_messaging.app import create_app
from a2p_messaging.settings import MessagingSettings
from a2p_shared.service_app import serve

settings = MessagingSettings()
serve(create_app(settings), settings)
