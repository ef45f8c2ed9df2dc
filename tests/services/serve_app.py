"""Serve the testing app on 127.0.0.1 at a free port, for tests that need a separate app
process: `python -m tests.services.serve_app DATABASE_URL`. Prints the port, then serves."""
import sys

from werkzeug.serving import make_server

from app import create_app


def main() -> None:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=sys.argv[1], RATELIMIT_ENABLED=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    server.socket.listen(512)
    print(server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
