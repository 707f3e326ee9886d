"""The official OpenAI Python SDK's types as the check of what vdm sent upstream.

    python openai_request_check.py < bodies.json

stdin: a JSON list of Chat Completions request bodies (as the mock upstream recorded them). Each is
validated against the SDK's `CompletionCreateParams` (streaming or not) with pydantic, every
top-level key must be one the SDK knows, and every message must validate as a
`ChatCompletionMessageParam`. Prints {"checked": N, "problems": [...]}.
"""
import json
import sys
import typing

import pydantic
from openai.types.chat import ChatCompletionMessageParam, completion_create_params

STREAMING = pydantic.TypeAdapter(completion_create_params.CompletionCreateParamsStreaming)
PLAIN = pydantic.TypeAdapter(completion_create_params.CompletionCreateParamsNonStreaming)
MESSAGE = pydantic.TypeAdapter(ChatCompletionMessageParam)
KNOWN = set(typing.get_type_hints(completion_create_params.CompletionCreateParamsStreaming).keys())


def main():
    bodies = json.load(sys.stdin)
    problems = []
    for index, body in enumerate(bodies):
        try:
            (STREAMING if body.get("stream") else PLAIN).validate_python(body)
            for message in body["messages"]:
                MESSAGE.validate_python(message)
        except pydantic.ValidationError as error:
            problems.append({"index": index, "error": str(error)[:2000]})
        unknown = sorted(set(body) - KNOWN)
        if unknown:
            problems.append({"index": index, "unknown_keys": unknown})
    print(json.dumps({"checked": len(bodies), "problems": problems}, sort_keys=True))


if __name__ == "__main__":
    main()
