"""The baseline of the websocket capacity figure: a bare ASGI app on daphne, no Django, no channel layer.

It accepts every websocket, keeps it idle, and when one client sends
"broadcast:<text>" it sends <text> to every connection it holds.
"""
import json

connections = set()


async def application(scope, receive, send):
    if scope["type"] == "websocket":
        await _websocket(receive, send)
    elif scope["type"] == "http":
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"ok"})


async def _websocket(receive, send):
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": json.dumps({"type": "hello"})})
    connections.add(send)
    try:
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text") or ""
            if text.startswith("broadcast:"):
                for peer in list(connections):
                    await peer({"type": "websocket.send", "text": text[len("broadcast:"):]})
    finally:
        connections.discard(send)
