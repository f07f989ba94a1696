"""`gunicorn warta_ingest.wsgi:app`"""

from warta_ingest.app import create_app

app = create_app()
