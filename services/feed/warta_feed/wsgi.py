"""`gunicorn warta_feed.wsgi:app`"""

from warta_feed.app import create_app

app = create_app()
