//! What djust is made of, as data: the template directives, the decorators, the
//! LiveView lifecycle and class attributes, and the best practices. One knowledge base
//! for every tool that explains djust: `djust mcp` serves it (`get_framework_schema`,
//! `get_template_directives`, `get_decorators`, `get_best_practices`) and the language
//! server will complete and document from it.
//!
//! It describes this project's runtime: the client (`docs/client.md`), the patch
//! protocol (`docs/protocol.md`) and the Python package (`python/djust`). Names follow
//! upstream djust where the two agree.

use serde::Serialize;

/// A `dj-*` attribute the client or the server understands.
#[derive(Debug, Clone, Serialize)]
pub struct Directive {
    /// The attribute name (`dj-click`).
    pub name: &'static str,
    /// `event`, `binding`, `modifier`, `structure`, `loading`, `navigation`, `client`
    /// (hooks) or `animation`.
    pub category: &'static str,
    /// What its value is (`handler name`, `milliseconds`, …).
    pub value: &'static str,
    /// What it does.
    pub description: &'static str,
    /// Suffixes written after a dot (`dj-keydown.enter`).
    pub modifiers: &'static [&'static str],
    /// A short example.
    pub example: &'static str,
}

/// A decorator of `djust.decorators`.
#[derive(Debug, Clone, Serialize)]
pub struct Decorator {
    /// Its name (`event_handler`).
    pub name: &'static str,
    /// Where to import it from.
    pub import: &'static str,
    /// Its signature.
    pub signature: &'static str,
    /// What it does.
    pub description: &'static str,
    /// A short example.
    pub example: &'static str,
}

/// A method or attribute of `djust.LiveView`.
#[derive(Debug, Clone, Serialize)]
pub struct Member {
    /// Its name.
    pub name: &'static str,
    /// Its signature or type.
    pub signature: &'static str,
    /// What it does and when djust calls it.
    pub description: &'static str,
}

/// The template directives, in the order the client documents them.
pub static DIRECTIVES: &[Directive] = &[
    Directive {
        name: "dj-root",
        category: "structure",
        value: "none",
        description: "Marks the LiveView root: the one element that wraps everything the LiveView renders; patches address elements inside it. Put it on the same element as dj-view (T002, T005).",
        modifiers: &[],
        example: "<div dj-root dj-view=\"shop.views.CartView\">…</div>",
    },
    Directive {
        name: "dj-view",
        category: "structure",
        value: "the LiveView's import path",
        description: "Names the LiveView class the client mounts over the WebSocket for this root.",
        modifiers: &[],
        example: "<div dj-root dj-view=\"shop.views.CartView\">",
    },
    Directive {
        name: "dj-click",
        category: "event",
        value: "handler name",
        description: "Sends the event to the handler on click; params are the element's data-* attributes and its value attribute. On <a> the navigation is prevented.",
        modifiers: &[],
        example: "<button dj-click=\"remove\" data-line-id=\"{{ line.id }}\">Remove</button>",
    },
    Directive {
        name: "dj-input",
        category: "event",
        value: "handler name",
        description: "Sends the event on every input event with value (the field's value) and data-* params; pair it with dj-debounce.",
        modifiers: &[],
        example: "<input dj-input=\"search\" dj-debounce=\"300\">",
    },
    Directive {
        name: "dj-change",
        category: "event",
        value: "handler name",
        description: "Sends the event on change; on a <form>, params are the form's fields.",
        modifiers: &[],
        example: "<select dj-change=\"filter_category\">",
    },
    Directive {
        name: "dj-submit",
        category: "event",
        value: "handler name",
        description: "Sends the form's fields as keyword arguments on submit and prevents the page load.",
        modifiers: &[],
        example: "<form dj-submit=\"save\">",
    },
    Directive {
        name: "dj-keydown",
        category: "event",
        value: "handler name",
        description: "Sends the event on keydown with value and key; with a modifier only for that key (KeyboardEvent.key, lower case).",
        modifiers: &["enter", "escape", "tab", "arrowup", "arrowdown", "arrowleft", "arrowright", " "],
        example: "<input dj-keydown.enter=\"add_todo\">",
    },
    Directive {
        name: "dj-keyup",
        category: "event",
        value: "handler name",
        description: "As dj-keydown, on keyup.",
        modifiers: &["enter", "escape", "tab", "arrowup", "arrowdown", "arrowleft", "arrowright", " "],
        example: "<input dj-keyup=\"typed\">",
    },
    Directive {
        name: "dj-model",
        category: "binding",
        value: "public state attribute",
        description: "Binds a field to a public attribute of the view: the server sets it on input (on change for checkboxes, radios and selects; always on change with .lazy). .trim sends the value without leading and trailing spaces, .debounce-N waits N milliseconds without typing; modifiers combine (dj-model.trim.debounce-300). Only fields bound in the page's last render are accepted.",
        modifiers: &["lazy", "trim", "debounce-N"],
        example: "<input dj-model=\"title\" value=\"{{ title }}\">",
    },
    Directive {
        name: "dj-debounce",
        category: "modifier",
        value: "milliseconds, or blur",
        description: "Sends the element's event once the time passes without another (the last value), for any event type, clicks and submits included; blur waits until the field loses focus. Overrides the handler's @debounce.",
        modifiers: &[],
        example: "<input dj-input=\"search\" dj-debounce=\"250\">",
    },
    Directive {
        name: "dj-throttle",
        category: "modifier",
        value: "milliseconds",
        description: "At most one event per interval; the last one is sent when the interval ends. Overrides the handler's @throttle.",
        modifiers: &[],
        example: "<div dj-click=\"tick\" dj-throttle=\"500\">",
    },
    Directive {
        name: "dj-confirm",
        category: "modifier",
        value: "question",
        description: "Asks the question with confirm() before sending the event; nothing is sent on cancel.",
        modifiers: &[],
        example: "<button dj-click=\"delete\" dj-confirm=\"Delete this order?\">",
    },
    Directive {
        name: "dj-loading",
        category: "loading",
        value: "none, or a class list for .class",
        description: "While this element's event is in flight (and the background work it started, if any): .disable disables it, .class adds classes, .show unhides it, .hide (or .remove) hides it; undone when the reply arrives.",
        modifiers: &["disable", "class", "show", "hide", "remove"],
        example: "<button type=\"submit\" dj-loading.disable dj-loading.class=\"busy\">Save</button>",
    },
    Directive {
        name: "dj-loading-for",
        category: "loading",
        value: "handler name",
        description: "Applies the element's dj-loading states whenever an event for that handler is in flight, wherever it was sent from.",
        modifiers: &[],
        example: "<span dj-loading-for=\"search\" dj-loading.show hidden>Searching…</span>",
    },
    Directive {
        name: "dj-key",
        category: "structure",
        value: "a key unique among siblings",
        description: "Identifies a row across renders so reorders become moves, not re-renders (data-key also works).",
        modifiers: &[],
        example: "<tr dj-key=\"{{ product.id }}\">",
    },
    Directive {
        name: "dj-update",
        category: "structure",
        value: "ignore",
        description: "dj-update=\"ignore\": the server never patches this element's children, so client-side widgets keep their DOM.",
        modifiers: &[],
        example: "<div id=\"map\" dj-update=\"ignore\"></div>",
    },
    Directive {
        name: "dj-patch",
        category: "navigation",
        value: "none (on a link with href)",
        description: "A link that changes the URL of the same LiveView without a page load or a mount: the server runs handle_params with the new URL and patches the page; the URL goes into the browser's history (back/forward work the same way).",
        modifiers: &[],
        example: "<a href=\"?page={{ page|add:1 }}\" dj-patch>Next</a>",
    },
    Directive {
        name: "dj-navigate",
        category: "navigation",
        value: "none (on a link with href)",
        description: "A link to another LiveView of the same live_session: it is mounted over the same WebSocket in place of the current one, without a page load (other URLs load as pages).",
        modifiers: &[],
        example: "<a href=\"{% url 'catalog:detail' product.id %}\" dj-navigate>{{ product.name }}</a>",
    },
    Directive {
        name: "dj-hook",
        category: "client",
        value: "a hook name registered in window.DjustHooks or window.djust.hooks",
        description: "Attaches JavaScript to the element: mounted, beforeUpdate, updated, destroyed, disconnected and reconnected callbacks with this.el, this.pushEvent(name, payload) and this.handleEvent(name, callback) (push_event from the server). Give the element an id.",
        modifiers: &[],
        example: "<canvas id=\"sales\" dj-hook=\"Chart\" data-values=\"{{ values_json }}\"></canvas>",
    },
    Directive {
        name: "dj-target",
        category: "modifier",
        value: "#id of an element of the page",
        description: "The reply to this element's event patches only that element's children; the page's other changes arrive with the next reply (the browser always ends as the server rendered). Other selectors patch the whole root.",
        modifiers: &[],
        example: "<input dj-input=\"search\" dj-target=\"#results\">",
    },
    Directive {
        name: "dj-optimistic",
        category: "modifier",
        value: "class:NAME, ATTR:VALUE or ATTR:!ATTR, comma-separated",
        description: "Changes the element at once when its event is sent (toggle a class, set an attribute, flip true/false); undone when the reply comes, before its patches, so the page ends as the server rendered it (rolled back on an error).",
        modifiers: &[],
        example: "<button dj-click=\"like\" aria-pressed=\"false\" dj-optimistic=\"aria-pressed:!aria-pressed\">♥</button>",
    },
    Directive {
        name: "dj-transition",
        category: "animation",
        value: "a transition name: fade, slide-up, slide-down, scale, or the page's own",
        description: "CSS classes when a patch inserts the element (NAME-enter-from then NAME-enter-to) or removes it (NAME-leave-from then NAME-leave-to; removed when the transition ends). The four presets bring their CSS.",
        modifiers: &[],
        example: "<div class=\"flash\" dj-transition=\"fade\">{{ flash }}</div>",
    },
    Directive {
        name: "dj-transition-enter",
        category: "animation",
        value: "classes",
        description: "Explicit enter classes, applied when a patch inserts the element; dj-transition-enter-to are applied on the next frame.",
        modifiers: &[],
        example: "<li dj-transition-enter=\"opacity-0\" dj-transition-enter-to=\"opacity-100 transition\">",
    },
    Directive {
        name: "dj-transition-enter-to",
        category: "animation",
        value: "classes",
        description: "The classes an entering element moves to (the CSS transition runs between the two).",
        modifiers: &[],
        example: "<li dj-transition-enter=\"opacity-0\" dj-transition-enter-to=\"opacity-100 transition\">",
    },
    Directive {
        name: "dj-transition-leave",
        category: "animation",
        value: "classes",
        description: "Explicit leave classes, applied when a patch removes the element, which stays until its transition ends.",
        modifiers: &[],
        example: "<li dj-transition-leave=\"opacity-100\" dj-transition-leave-to=\"opacity-0 transition\">",
    },
    Directive {
        name: "dj-transition-leave-to",
        category: "animation",
        value: "classes",
        description: "The classes a leaving element moves to before it is removed.",
        modifiers: &[],
        example: "<li dj-transition-leave=\"opacity-100\" dj-transition-leave-to=\"opacity-0 transition\">",
    },
    Directive {
        name: "dj-transition-duration",
        category: "animation",
        value: "milliseconds (default 400)",
        description: "How long to wait for a transition that never reports its end.",
        modifiers: &[],
        example: "<li dj-transition=\"fade\" dj-transition-duration=\"200\">",
    },
    Directive {
        name: "dj-stream",
        category: "structure",
        value: "a stream name",
        description: "The container an async handler streams into (stream_to, stream_insert, stream_text, stream_delete); what it adds are the browser's, untouched by patches.",
        modifiers: &[],
        example: "<span dj-stream=\"answer\"></span>",
    },
    Directive {
        name: "dj-upload",
        category: "binding",
        value: "the name given to allow_upload",
        description: "On <input type=\"file\">: the chosen files are announced to the view, checked on the server (count, size, type) before anything is stored, and the accepted ones sent over the socket in binary chunks with progress; a handler takes them with consume_uploaded_entries.",
        modifiers: &[],
        example: "<input type=\"file\" dj-upload=\"photos\" accept=\"image/*\" multiple>",
    },
    Directive {
        name: "dj-cursors",
        category: "binding",
        value: "none",
        description: "In a LiveView that tracks presence (PresenceMixin): the pointer's position over this element goes to the other members (at most ten times a second, no render), whose pages draw it labelled with the member's meta name; a leaving member's cursor goes.",
        modifiers: &[],
        example: "<div class=\"board\" dj-cursors>…</div>",
    },
    Directive {
        name: "dj-offline",
        category: "structure",
        value: "none (put hidden on it)",
        description: "Shown while a LiveView of the page is disconnected (the client reconnects with backoff), hidden once it is mounted again; <html> also gets the class dj-offline meanwhile.",
        modifiers: &[],
        example: "<p dj-offline hidden role=\"status\">Connection lost: reconnecting…</p>",
    },
    Directive {
        name: "dj-socket",
        category: "structure",
        value: "a WebSocket path",
        description: "On the root: the WebSocket path to connect to instead of /ws/djust/.",
        modifiers: &[],
        example: "<div dj-root dj-view=\"…\" dj-socket=\"/ws/shop/\">",
    },
];

/// The decorators of `djust.decorators`.
pub static DECORATORS: &[Decorator] = &[
    Decorator {
        name: "event_handler",
        import: "from djust.decorators import event_handler",
        signature: "@event_handler | @event_handler() | @event_handler(name=\"event\")",
        description: "Marks a LiveView method the browser may call; only marked methods are dispatched. Handlers receive the event's params as keyword arguments, so they must accept **kwargs (V007) and give their parameters defaults.",
        example: "@event_handler\ndef add_item(self, value=\"\", **kwargs):\n    self.items.append(value)",
    },
    Decorator {
        name: "debounce",
        import: "from djust.decorators import debounce",
        signature: "@debounce(wait=0.3)",
        description: "The client sends events bound to this handler once `wait` seconds pass without another. A dj-debounce attribute (milliseconds) on the element overrides it.",
        example: "@event_handler\n@debounce(wait=0.25)\ndef search(self, value=\"\", **kwargs):\n    self.query = value",
    },
    Decorator {
        name: "throttle",
        import: "from djust.decorators import throttle",
        signature: "@throttle(interval=0.1)",
        description: "The client sends at most one event per `interval` seconds for this handler, the last one when the interval ends. A dj-throttle attribute overrides it.",
        example: "@event_handler\n@throttle(interval=0.5)\ndef scrolled(self, **kwargs):\n    self.page += 1",
    },
    Decorator {
        name: "background",
        import: "from djust.decorators import background",
        signature: "@background",
        description: "Runs the whole handler as background work (start_async with the handler's name): the reply is sent at once and the element keeps its loading state until the work's patch arrives.",
        example: "@event_handler\n@background\ndef generate(self, **kwargs):\n    self.report = build_report()",
    },
];

/// `djust.LiveView`'s lifecycle methods.
pub static LIFECYCLE: &[Member] = &[
    Member {
        name: "mount",
        signature: "def mount(self, request, **kwargs)",
        description: "Sets the initial state, on the page load (HTTP GET) and again on every WebSocket mount; kwargs are the URL's keyword arguments.",
    },
    Member {
        name: "get_context_data",
        signature: "def get_context_data(self, **kwargs) -> dict",
        description: "The template's context: the validated public state plus `view`. Override to add derived values (querysets evaluated here, not stored in state).",
    },
    Member {
        name: "check_permissions",
        signature: "def check_permissions(self, request) -> bool",
        description: "Whether the request may use the view, checked on the page load (403 otherwise) and on every WebSocket mount.",
    },
    Member {
        name: "handle_params",
        signature: "def handle_params(self, params, uri)",
        description: "The URL's keyword arguments and query, after mount and after each live patch (live_patch, a dj-patch link, back/forward); Phoenix's handle_params.",
    },
    Member {
        name: "restored",
        signature: "def restored(self, request)",
        description: "Runs instead of mount when a reconnecting client gets its view back from the state backend (DJUST[\"STATE_BACKEND\"]); public attributes are back, set private ones here.",
    },
    Member {
        name: "subscribe",
        signature: "def subscribe(self, group)",
        description: "Receive what is broadcast to `group` on any worker: handle_info(event, **payload) runs and the page re-renders. Needs CHANNEL_LAYERS.",
    },
    Member {
        name: "broadcast",
        signature: "def broadcast(self, group, event, payload=None)",
        description: "Send `event` with a JSON payload to every LiveView subscribed to `group`, this one included (Phoenix's PubSub.broadcast); djust.presence.broadcast does it from anywhere.",
    },
    Member {
        name: "unsubscribe",
        signature: "def unsubscribe(self, group)",
        description: "Stop receiving `group`'s broadcasts.",
    },
    Member {
        name: "live_patch",
        signature: "def live_patch(self, params=None, path=None, replace=False)",
        description: "From a handler: change the URL of this LiveView without a mount; handle_params runs and the browser's history gets the URL.",
    },
    Member {
        name: "live_redirect",
        signature: "def live_redirect(self, path, params=None, replace=False)",
        description: "From a handler: go to the LiveView `path` serves, over the same socket when it is in this view's live_session, else by loading the page.",
    },
    Member {
        name: "push_event",
        signature: "def push_event(self, event, payload=None)",
        description: "Send the browser an event with a JSON object after this message's patches: handleEvent callbacks and a djust:push_event DOM event receive it.",
    },
    Member {
        name: "start_async",
        signature: "def start_async(self, callback, *args, name=None, **kwargs)",
        description: "Run callback in the background once the reply is sent; when it ends handle_async_result runs and the view re-renders.",
    },
    Member {
        name: "cancel_async",
        signature: "def cancel_async(self, name)",
        description: "Cancel the background task `name`: handle_async_result gets asyncio.CancelledError.",
    },
    Member {
        name: "handle_async_result",
        signature: "def handle_async_result(self, name, result=None, error=None)",
        description: "A background task ended with its result or its exception; by default errors are re-raised and results ignored.",
    },
    Member {
        name: "allow_upload",
        signature: "def allow_upload(self, name, accept=(), max_entries=1, max_file_size=8_000_000, chunk_size=64_000)",
        description: "In mount: accept files for <input dj-upload=\"name\">; view.uploads.name.entries shows them with progress and errors.",
    },
    Member {
        name: "consume_uploaded_entries",
        signature: "def consume_uploaded_entries(self, name, func)",
        description: "func(path, entry) for each complete upload (store the file: it is deleted afterwards); the results.",
    },
    Member {
        name: "stream_to",
        signature: "async def stream_to(self, name, target=None)",
        description: "In an async handler: start the stream `name` (its dj-stream container loses earlier items).",
    },
    Member {
        name: "stream_insert",
        signature: "async def stream_insert(self, name, html_or_item, at=\"append\", target=None)",
        description: "In an async handler: add HTML (or an item rendered with stream_templates[name]) to the stream.",
    },
    Member {
        name: "stream_text",
        signature: "async def stream_text(self, name, text, target=None)",
        description: "In an async handler: append text (never parsed as HTML) to the stream; the token-by-token case.",
    },
    Member {
        name: "stream_delete",
        signature: "async def stream_delete(self, name, selector_or_id, target=None)",
        description: "In an async handler: remove the stream's items with that id or matching that selector.",
    },
    Member {
        name: "push_state",
        signature: "async def push_state(self)",
        description: "In an async handler: render now and send the patch, before the handler returns.",
    },
    Member {
        name: "handle_info",
        signature: "def handle_info(self, event, **params)",
        description: "Receives a live component's send_parent(event, **params) when the view has no @event_handler named `event` (Phoenix's handle_info); raises by default.",
    },
    Member {
        name: "redirect",
        signature: "def redirect(self, to, *args, **kwargs)",
        description: "From an event handler: send the browser to a URL, URL name or model (as Django's redirect()).",
    },
];

/// Components (`djust.components`): what a `LiveComponent` / `Component` subclass
/// defines or calls, and the tags that render them.
pub static COMPONENTS: &[Member] = &[
    Member {
        name: "live_component",
        signature: "{% live_component \"app.components.Cart\" id=\"cart\" items=items %}",
        description: "Renders a LiveComponent inside a LiveView's template. `id` (unique on the page) keeps its instance between renders; the other arguments are props. Events from inside its root go to its handlers.",
    },
    Member {
        name: "component",
        signature: "{% component \"app.components.Badge\" label=label %}",
        description: "Renders a stateless Component (a class and a template) from its props, in any djust template.",
    },
    Member {
        name: "mount",
        signature: "def mount(self, **props)",
        description: "LiveComponent: the first render with this id; by default every prop becomes an attribute (its state).",
    },
    Member {
        name: "update",
        signature: "def update(self, **props)",
        description: "LiveComponent: the parent rendered it again with props that differ from the last ones; by default sets them again.",
    },
    Member {
        name: "send_parent",
        signature: "def send_parent(self, event, **params)",
        description: "LiveComponent: calls the parent LiveView's @event_handler named `event` (else its handle_info).",
    },
    Member {
        name: "get_context_data",
        signature: "def get_context_data(self) -> dict",
        description: "The component's template context: its public state (LiveComponent) or its props (Component), plus `component`.",
    },
];

/// `djust.LiveView`'s class attributes.
pub static CLASS_ATTRIBUTES: &[Member] = &[
    Member {
        name: "template_name",
        signature: "template_name: str",
        description: "The template the view renders, found by djust's template backend; it must have one dj-root element with dj-view.",
    },
    Member {
        name: "login_required",
        signature: "login_required: bool = False",
        description: "Only signed-in users may open the page (others are sent to LOGIN_URL) or mount the view.",
    },
];

/// Conventions every LiveView follows.
pub static CONVENTIONS: &[&str] = &[
    "Public attributes (no leading underscore) are the state and the template's context; they must be JSON-serialisable (with Django's encoder: datetimes, Decimal, UUID, model instances).",
    "Create services, clients, connections and locks when they are needed, in a helper method or a @property, never on self in mount() (V006).",
    "Event handlers accept **kwargs and give every parameter a default (V007).",
    "data-item-id=\"3\" on the element arrives as item_id=\"3\"; data-n:int converts.",
    "The template's root element carries both dj-root and dj-view (T002, T005).",
    "Add dj-key to rows of lists that change so the diff moves them instead of re-rendering.",
    "Presence: class RoomView(PresenceMixin, LiveView) with presence_key = \"room:{room_id}\"; self.track_presence({\"name\": ...}) in mount; the template lists view.list_presences and view.presence_count; handle_presence_join/handle_presence_leave hear changes.",
    "Validate forms as they are typed with djust.forms.LiveForm (a spec of rules, a Django Form, or live_form_from_model): validate_field on dj-change, set_values then validate_all on dj-submit; the template reads form.data, form.errors and form.valid.",
];

/// The best practices, as `get_best_practices` returns them (JSON).
pub fn best_practices() -> serde_json::Value {
    serde_json::json!({
        "setup": {
            "settings": "INSTALLED_APPS gets \"channels\" and \"djust\" (and \"daphne\" first for `runserver` over ASGI); ASGI_APPLICATION points at config.asgi.application; CHANNEL_LAYERS can be the in-memory layer in development.",
            "asgi": "ProtocolTypeRouter({\"http\": get_asgi_application(), \"websocket\": AuthMiddlewareStack(URLRouter(djust.routing.websocket_urlpatterns))})",
            "urls": "path(\"counter/\", CounterView.as_view()) — a LiveView is an ordinary Django view for the first render.",
            "client": "LiveView pages load djust/client.js by themselves; do not add the script by hand.",
        },
        "lifecycle": [
            "GET: mount(request, **url_kwargs), then the template renders with get_context_data().",
            "The client opens /ws/djust/ and sends mount; the server mounts the view again and sends the root's HTML with dj-ids.",
            "Each event calls the @event_handler with the params as kwargs, renders again and sends only the patches.",
        ],
        "event_handlers": {
            "rules": [
                "Decorate with @event_handler; undecorated methods cannot be called from the browser.",
                "Accept **kwargs and give parameters defaults: def remove(self, line_id=None, **kwargs).",
                "dj-input and dj-change pass the field's value as `value`; dj-submit passes the form's fields.",
                "Debounce text inputs (dj-debounce or @debounce) so typing does not send one event per key.",
            ],
        },
        "state": {
            "rules": CONVENTIONS,
            "querysets": "Store ids or plain values in state and evaluate querysets in get_context_data(), or keep them private.",
        },
        "templates": {
            "required_attributes": "One element with both dj-root and dj-view wraps the LiveView's markup.",
            "lists": "Give rows dj-key so reorders become moves.",
            "third_party_widgets": "Wrap DOM the server must not touch in dj-update=\"ignore\".",
        },
        "components": {
            "live": "A LiveComponent (djust.LiveComponent) keeps its own state and handlers inside a LiveView: {% live_component \"app.components.Cart\" id=\"cart\" items=items %}. Its template needs one root element and no dj-root.",
            "stateless": "A Component (djust.Component) is a class and a template rendered from props: {% component \"app.components.Badge\" label=label %}.",
            "testing": "djust.testing.LiveComponentTestClient(Cart, items=[...]) mounts one alone; LiveViewTestClient.component_event(id, name) sends an event to one inside a view.",
            "scaffold": "djust new component NAME [--stateless] (or the scaffold_component tool) writes the class, its template and a test.",
        },
        "checks": "Run `djust check` (or `python manage.py check --tag djust`) before committing; the same rules run in the editor and in this server.",
        "common_pitfalls": [
            {"id": "V006", "problem": "A service object (API client, connection, lock) stored in public state in mount()", "why": "State is serialised between renders; services are not serialisable and leak resources.", "solution": "Create the service when it is needed, in a helper method or a @property (a _private attribute set in mount() is still V006)."},
            {"id": "V007", "problem": "An event handler without **kwargs", "why": "The client sends every data-* attribute as a keyword argument; an unexpected one raises TypeError.", "solution": "Add **kwargs to the signature."},
            {"id": "T002", "problem": "A LiveView template without dj-root", "why": "Patches have no root to apply to, so the page never updates (DJE-053).", "solution": "Put dj-root on the element that carries dj-view."},
            {"id": "T005", "problem": "dj-view and dj-root on different elements", "why": "The client mounts one element and patches another.", "solution": "Move both attributes onto one element."},
            {"id": "T101", "problem": "A directive (dj-click=\"save\", …) naming a handler the LiveView does not have", "why": "The event reaches the server and fails: nothing happens on the page.", "solution": "Name one of the view's @event_handler methods, or add it."},
            {"id": "T102", "problem": "A dj-view naming a class that does not exist or is not a LiveView", "why": "Nothing mounts: the page is dead.", "solution": "Use the LiveView's import path, module.Class."},
            {"id": "debounce", "problem": "A search input without debouncing", "why": "Every keystroke becomes a round trip and a render.", "solution": "dj-debounce=\"300\" on the input or @debounce(wait=0.3) on the handler."},
        ],
    })
}

/// The whole framework schema, as `get_framework_schema` returns it (JSON).
pub fn framework_schema() -> serde_json::Value {
    serde_json::json!({
        "version": env!("CARGO_PKG_VERSION"),
        "directives": DIRECTIVES,
        "decorators": DECORATORS,
        "lifecycle_methods": LIFECYCLE,
        "class_attributes": CLASS_ATTRIBUTES,
        "conventions": CONVENTIONS,
        "components": COMPONENTS,
        "websocket": {
            "path": "/ws/djust/",
            "client_messages": ["mount", "event", "model"],
            "server_messages": ["mounted", "patch", "redirect", "error"],
            "patch_ops": ["attrs", "text", "remove", "insert", "move", "reorder"],
        },
    })
}

/// The directive named `name` (`dj-keydown.enter` finds `dj-keydown`).
pub fn directive(name: &str) -> Option<&'static Directive> {
    let base = name.split('.').next().unwrap_or(name);
    DIRECTIVES.iter().find(|d| d.name == base)
}
