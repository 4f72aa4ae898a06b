"""Validation shared by every websocket consumer: frames are small JSON objects, anything else gets a clear error."""
import json

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class JsonObjectFrameConsumer(AsyncJsonWebsocketConsumer):
    max_frame_bytes = 4096

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if bytes_data is not None or text_data is None or len(text_data) > self.max_frame_bytes:
            limit = f"{self.max_frame_bytes // 1024} KiB"
            await self.send_json({"type": "error", "error": f"Frames are JSON text of at most {limit}."})
            return
        await super().receive(text_data=text_data, **kwargs)

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return json.loads(text_data)
        except (ValueError, RecursionError):  # RecursionError: nested beyond reason
            return None

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "error": "Frames must be JSON objects."})
            return
        await self.receive_frame(content)

    async def receive_frame(self, frame):
        raise NotImplementedError
