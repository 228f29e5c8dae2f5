"""A user story told with mattermostdriver, the most used Python client for Mattermost
(from PyPI), against a running Hearth: sign in (the driver sends "token": null), find
the team and its channels, post, reply, react, upload and attach a file, read it back,
and hear a post arrive on the WebSocket. Exits non-zero with a message on the first
thing that does not work as it does against Mattermost.

Usage: python3 mattermostdriver_story.py http://127.0.0.1:PORT LOGIN PASSWORD
"""

import asyncio
import json
import sys
import threading
import time
from urllib.parse import urlparse

from mattermostdriver import Driver


def check(condition, what):
    if not condition:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)


def main():
    url, login_id, password = sys.argv[1:4]
    parsed = urlparse(url)
    driver = Driver({
        "url": parsed.hostname,
        "port": parsed.port,
        "scheme": parsed.scheme,
        "login_id": login_id,
        "password": password,
        "verify": False,
        "timeout": 5,
    })
    me = driver.login()
    check(me["username"] == login_id, f"login answered {me}")

    team = driver.teams.create_team(options={"name": "pyteam", "display_name": "Py team", "type": "O"})
    teams = driver.teams.get_user_teams(me["id"])
    check(any(t["id"] == team["id"] for t in teams), "the new team is among my teams")
    town_square = driver.channels.get_channel_by_name(team["id"], "town-square")
    channel = driver.channels.create_channel(options={
        "team_id": team["id"], "name": "py-channel", "display_name": "Py channel", "type": "O",
    })
    mine = driver.channels.get_channels_for_user(me["id"], team["id"])
    names = {c["name"] for c in mine}
    check({"town-square", "py-channel"} <= names, f"my channels: {names}")

    # The WebSocket, in a thread of its own as bots run it; it must hear the next post.
    heard = []
    connected = threading.Event()
    done = threading.Event()

    async def on_event(message):
        event = json.loads(message)
        if event.get("event") == "hello":
            connected.set()
        if event.get("event") == "posted":
            post = json.loads(event["data"]["post"])
            heard.append(post["message"])
            done.set()

    def listen():
        asyncio.set_event_loop(asyncio.new_event_loop())
        driver.init_websocket(on_event)

    threading.Thread(target=listen, daemon=True).start()
    check(connected.wait(15), "the WebSocket said no hello")

    root = driver.posts.create_post(options={"channel_id": channel["id"], "message": "hello from Python"})
    check(root["message"] == "hello from Python", f"post: {root}")
    check(done.wait(10), "the WebSocket heard no posted event")
    check("hello from Python" in heard, f"heard {heard}")

    reply = driver.posts.create_post(options={
        "channel_id": channel["id"], "message": "a reply", "root_id": root["id"],
    })
    thread = driver.posts.get_thread(root["id"])
    check(reply["id"] in thread["posts"], "the reply is in the thread")
    driver.reactions.create_reaction(options={
        "user_id": me["id"], "post_id": root["id"], "emoji_name": "tada",
    })
    reactions = driver.reactions.get_reactions_of_post(root["id"])
    check([r["emoji_name"] for r in reactions] == ["tada"], f"reactions: {reactions}")

    uploaded = driver.files.upload_file(
        channel_id=channel["id"],
        files={"files": ("notes.txt", b"some notes\n")},
    )
    file_id = uploaded["file_infos"][0]["id"]
    with_file = driver.posts.create_post(options={
        "channel_id": channel["id"], "message": "see attached", "file_ids": [file_id],
    })
    check(with_file["file_ids"] == [file_id], f"post with file: {with_file}")
    content = driver.files.get_file(file_id)
    check(content.content == b"some notes\n", f"file content: {content.content!r}")

    posts = driver.posts.get_posts_for_channel(channel["id"])
    messages = sorted(p["message"] for p in posts["posts"].values())
    check(messages == ["a reply", "hello from Python", "see attached"], f"channel posts: {messages}")
    # The search index follows the database a moment behind.
    for _ in range(50):
        found = driver.posts.search_for_team_posts(team["id"], options={"terms": "python", "is_or_search": False})
        if root["id"] in found["order"]:
            break
        time.sleep(0.1)
    check(root["id"] in found["order"], f"search for 'python': {found['order']}")
    check(town_square["name"] == "town-square", "town-square by name")

    driver.logout()
    print("mattermostdriver story: ok")


if __name__ == "__main__":
    main()
