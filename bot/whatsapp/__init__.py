"""The WhatsApp channel: the WhatsApp Business Cloud API in webhook mode, over the one
conversation service (see docs/whatsapp.md).

Modules: `config` (the settings), `webhook` (the route: the verification handshake,
the signature check, the body cap), `signature` (X-Hub-Signature-256), `updates`
(what a webhook body holds), `intake` (what a message means, through the channel
core), `words` (the channel's typed words), `rendering` (turns as WhatsApp messages:
reply buttons, list messages, numbered text), `graph_api` (the HTTP client),
`delivery` (the outbox sender), `runner` (the lifespan of `intake serve`), `wording`
(the channel's own sentences).
"""
