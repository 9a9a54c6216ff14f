"""`python -m a2p_twilio_emulator`: serve on EMULATOR_HTTP_HOST:EMULATOR_HTTP_PORT."""

import logging

import uvicorn

from a2p_twilio_emulator.app import create_app
from a2p_twilio_emulator.settings import EmulatorSettings

settings = EmulatorSettings()
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
uvicorn.run(create_app(settings), host=settings.http_host, port=settings.http_port, ws="none")
