"""The official Anthropic Python SDK as vdm's client (Tests/ProxyTests/OfficialSDKTests.swift).

    python anthropic_sdk_client.py BASE_URL SCENARIO MODEL

Runs one scenario through the SDK and prints one JSON object: what the SDK parsed (its types are the
oracle for "a real client accepts vdm's replies"). An exception the SDK raises is printed as
{"error": class name, "status": HTTP status} and the exit status is still 0, so that the test asserts
on it; anything else (a bad argument, an import error) exits non-zero.
"""
import json
import sys

import anthropic

WEATHER_TOOL = {
    "name": "get_weather",
    "description": "Weather for a city",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}


def usage(u):
    return {
        "input_tokens": u.input_tokens,
        "output_tokens": u.output_tokens,
        "cache_read_input_tokens": u.cache_read_input_tokens,
        "cache_creation_input_tokens": u.cache_creation_input_tokens,
    }


def message(m):
    blocks = []
    for block in m.content:
        if block.type == "text":
            blocks.append({"type": "text", "text": block.text})
        elif block.type == "tool_use":
            blocks.append({"type": "tool_use", "id": block.id, "name": block.name, "input": block.input})
        elif block.type == "thinking":
            blocks.append({"type": "thinking", "thinking": block.thinking, "signature": block.signature})
        else:
            blocks.append({"type": block.type})
    return {
        "sdk_type": type(m).__name__,
        "is_message": isinstance(m, anthropic.types.Message),
        "id": m.id,
        "role": m.role,
        "model": m.model,
        "stop_reason": m.stop_reason,
        "content": blocks,
        "usage": usage(m.usage),
    }


def run(client, scenario, model):
    user = [{"role": "user", "content": "hello from the official SDK"}]
    if scenario == "create":
        return message(client.messages.create(model=model, max_tokens=64, messages=user))
    if scenario == "stream":
        texts = []
        with client.messages.stream(model=model, max_tokens=64, messages=user) as stream:
            for text in stream.text_stream:
                texts.append(text)
            final = stream.get_final_message()
        out = message(final)
        out["text_stream"] = "".join(texts)
        return out
    if scenario == "tools":
        tool_user = [{"role": "user", "content": "weather please mock:tool"}]
        return message(client.messages.create(model=model, max_tokens=64, messages=tool_user, tools=[WEATHER_TOOL]))
    if scenario == "stream_tools":
        tool_user = [{"role": "user", "content": "weather please mock:tools=2"}]
        with client.messages.stream(model=model, max_tokens=64, messages=tool_user, tools=[WEATHER_TOOL]) as stream:
            final = stream.get_final_message()
        return message(final)
    if scenario == "thinking":
        with client.messages.stream(model=model, max_tokens=2048, messages=user,
                                    thinking={"type": "enabled", "budget_tokens": 1024}) as stream:
            kinds = [event.type for event in stream]
            final = stream.get_final_message()
        out = message(final)
        out["event_types"] = sorted(set(kinds))
        return out
    if scenario == "count_tokens":
        counted = client.messages.count_tokens(model=model, messages=user)
        return {"sdk_type": type(counted).__name__, "input_tokens": counted.input_tokens}
    if scenario == "rate_limited":
        limited = [{"role": "user", "content": "slow down mock:status=429"}]
        client.messages.create(model=model, max_tokens=64, messages=limited)
        return {"error": None}
    raise SystemExit("unknown scenario " + scenario)


def main():
    base_url, scenario, model = sys.argv[1], sys.argv[2], sys.argv[3]
    # No retries: the test counts the requests that reach the upstream.
    client = anthropic.Anthropic(base_url=base_url, api_key="sk-ant-sdk-client-key-0123456789", max_retries=0, timeout=60)
    try:
        out = run(client, scenario, model)
    except anthropic.APIStatusError as error:
        out = {"error": type(error).__name__, "status": error.status_code, "error_type": (error.body or {}).get("error", {}).get("type")}
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
