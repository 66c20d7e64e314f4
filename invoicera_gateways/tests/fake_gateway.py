"""A local stand-in for a gateway's servers, for browser tours.

It answers the gateway's API calls, serves a hosted payment page, and when
the client pays there it sends the signed webhook to Odoo before sending the
browser back to the return URL, as the real gateway does.
"""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

import requests

PAGE = """<!DOCTYPE html><html><body onload="setTimeout(() => document.forms[0].submit(), 300)">
<h1>{gateway} test checkout</h1><p>Pay {amount} {currency} for {reference}</p>
<form method="post" action="/pay/{quoted}"><button id="pay" type="submit">Pay</button></form>
</body></html>"""


class FakeGatewayServer:
    """Serve ``gateway`` (a :class:`FakeGateway`) on a free local port."""

    def __init__(self, gateway):
        self.gateway = gateway
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def reply(self, status, body, content_type="application/json", location=None):
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                if location:
                    self.send_header("Location", location)
                self.end_headers()
                self.wfile.write(data)

            def read_json(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    return json.loads(raw or b"{}")
                except ValueError:
                    return parse_qs(raw.decode())

            def do_GET(self):
                path = urlsplit(self.path).path
                if path.startswith("/pay/"):
                    payment = fake.gateway.payments[unquote(path.split("/")[2])]
                    page = PAGE.format(
                        gateway=fake.gateway.name,
                        quoted=quote(payment["reference"], safe=""),
                        **payment,
                    )
                    self.reply(200, page, "text/html")
                else:
                    fake.gateway.last_query = parse_qs(urlsplit(self.path).query)
                    self.reply(*fake.gateway.api("GET", path, {}))

            def do_POST(self):
                path = urlsplit(self.path).path
                if path.startswith("/pay/"):
                    reference = unquote(path.split("/")[2])
                    webhook_url, body, headers = fake.gateway.paid(reference)
                    fake.webhook_answers.append(
                        requests.post(webhook_url, data=body, headers=headers, timeout=30)
                    )
                    self.reply(303, "", "text/plain", location=fake.gateway.return_url(reference))
                else:
                    self.reply(*fake.gateway.api("POST", path, self.read_json()))

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.webhook_answers = []
        gateway.server_url = self.url

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeGateway:
    """What a fake needs to know of one gateway; subclasses follow its documentation."""

    name = ""
    server_url = ""
    #: the query string of the last GET to the API, parsed
    last_query = {}

    def __init__(self, secret):
        self.secret = secret
        self.payments = {}

    def api(self, method, path, payload):
        raise NotImplementedError

    def hosted_page(self, reference):
        return f"{self.server_url}pay/{quote(reference, safe='')}"

    def paid(self, reference):
        """(webhook URL, body bytes, headers) the gateway sends once the client paid."""
        raise NotImplementedError

    def return_url(self, reference):
        raise NotImplementedError
