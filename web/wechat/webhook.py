"""WeChat's message push: the URL check and each push, answered within WeChat's 5 seconds."""

from __future__ import annotations

import logging

from flask import Response, request

from campaigns.wechat import inbox, push
from extensions import csrf, db
from web.services import services

from . import bp

log = logging.getLogger(__name__)


@bp.route("/wechat/<account_slug>/callback", methods=["GET", "POST"])
@csrf.exempt
def callback(account_slug: str):
    """WeChat's message push: GET echoes the URL check; POST records the push and answers it.

    The answer must reach WeChat within 5 seconds, so nothing here calls WeChat: events go
    to the campaign streams, which the worker ingests, and the reply comes from the account's book.
    """
    svc = services()
    book = svc.replies.get(db.session, account_slug)
    if book is None:
        log.warning("wechat push for an unknown account", extra={"account": account_slug, "method": request.method})
        return Response("unknown account", status=404, mimetype="text/plain")
    try:
        if request.method == "GET":
            return Response(push.verify_echo(book.creds, request.args), mimetype="text/plain")
        if (request.content_length or 0) > push.MAX_BODY_BYTES:
            raise push.MalformedPush("push too large")
        reply = inbox.receive(db.session, svc, book, request.args, request.get_data())
    except push.BadSignature as exc:
        return _refused(account_slug, exc, 403, "forbidden")
    except push.MalformedPush as exc:
        return _refused(account_slug, exc, 400, "bad request")
    return Response(reply.body, mimetype=reply.content_type)


def _refused(account_slug: str, exc: Exception, status: int, answer: str) -> Response:
    """Log why a push or URL check was refused and answer WeChat plainly; nothing was processed."""
    log.warning(
        "wechat push refused",
        extra={"account": account_slug, "reason": str(exc), "status": status, "method": request.method},
    )
    return Response(answer, status=status, mimetype="text/plain")
