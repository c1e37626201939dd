from django.shortcuts import get_object_or_404
from djust.decorators import event_handler

from core.mixins import AppLiveView

from .assistant import stream_answer
from .models import Message, Ticket


def _message_dict(message):
    return {
        "id": message.pk,
        "author": message.author.get_username(),
        "body": message.body,
        "sent_at": message.sent_at.isoformat(),
    }


class TicketListView(AppLiveView):
    template_name = "support/ticket_list.html"
    login_required = True

    def mount(self, request, **kwargs):
        self.status = "open"
        self._load()

    def _load(self):
        qs = Ticket.objects.filter(customer=self.request.user)
        if self.status:
            qs = qs.filter(status=self.status)
        # A lazy QuerySet: before each render djust adds the joins and prefetches the
        # rows' template reads (the customer, the messages and their authors).
        self.tickets = qs

    @event_handler
    def filter_status(self, value="", **kwargs):
        self.status = value
        self._load()


class TicketDetailView(AppLiveView):
    template_name = "support/ticket_detail.html"
    login_required = True

    def mount(self, request, pk=None, **kwargs):
        ticket = get_object_or_404(Ticket, pk=pk, customer=request.user)
        self.ticket = {"id": ticket.pk, "subject": ticket.subject, "status": ticket.status}
        self.messages = [_message_dict(m) for m in ticket.messages.select_related("author")]
        self.draft = ""

    @event_handler
    def reply(self, body="", **kwargs):
        body = body.strip()
        if not body:
            return
        message = Message.objects.create(ticket_id=self.ticket["id"], author=self.request.user, body=body)
        self.messages.append(_message_dict(message))
        self.draft = ""

    @event_handler
    def close(self, **kwargs):
        Ticket.objects.filter(pk=self.ticket["id"]).update(status=Ticket.Status.CLOSED)
        self.ticket["status"] = Ticket.Status.CLOSED


class LiveChatView(AppLiveView):
    """Pre-sales chat: messages are pushed to every open tab of the conversation."""

    template_name = "support/live_chat.html"

    def mount(self, request, **kwargs):
        self.room = f"chat-{request.session.session_key}"
        self.messages = []
        self.typing = False

    @event_handler
    def send(self, message):
        text = message.strip()
        if text:
            self.messages.append({"author": "you", "body": text})
        self.typing = False

    @event_handler
    def set_typing(self, value="", **kwargs):
        self.typing = bool(value)


class AssistantView(AppLiveView):
    """The shop assistant: answers stream in token by token (an async handler)."""

    template_name = "support/assistant.html"

    def mount(self, request, **kwargs):
        self.messages = []
        self.answering = False

    @event_handler
    async def ask(self, question="", **kwargs):
        question = question.strip()
        if not question or self.answering:
            return
        self.messages.append({"author": "you", "body": question})
        self.answering = True
        await self.push_state()  # the question shows, and the empty answer bubble
        await self.stream_to("answer")
        answer = ""
        async for token in stream_answer(question):
            answer += token
            await self.stream_text("answer", token)
        self.messages.append({"author": "assistant", "body": answer.strip()})
        self.answering = False  # the final render replaces the streamed bubble


class ReturnRequestView(AppLiveView):
    """A return request with photos of the item, uploaded over the socket."""

    template_name = "support/returns.html"

    def mount(self, request, **kwargs):
        self.allow_upload("photos", accept=[".jpg", ".jpeg", ".png", "image/*"], max_entries=3, max_file_size=2_000_000)
        self.order = ""
        self.received = []

    @event_handler
    def submit(self, order="", **kwargs):
        self.order = order.strip()
        # The demo keeps only each photo's name and size; a shop would store the file.
        self.received = self.consume_uploaded_entries(
            "photos", lambda path, entry: f"{entry.name} ({entry.size} bytes)"
        )
