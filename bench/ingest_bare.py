"""The yardstick for bench/ingest.py: a bare Flask endpoint that only parses the same JSON.

`gunicorn --chdir bench ingest_bare:app`"""

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/v1/articles")
def submit() -> tuple[object, int]:
    data = request.get_json()
    return jsonify(id=1, revision=1, status="received", title=len(data["title"])), 202
