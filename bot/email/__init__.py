"""E-mail: the channel that delivers the outbox's `email` messages (docs/operations.md,
"E-mail"). What to send to whom is decided elsewhere; this package only delivers.

- `bot.email.message`: the RFC 5322 message for one outbox message;
- `bot.email.senders`: where it goes: an SMTP server (`SmtpSender`) or a folder of
  `.eml` files (`FolderSender`, the default of `make run`);
- `bot.email.delivery`: the deliverer loop on the outbox (`EmailDeliverer`);
- `bot.email.config`: the sender the settings ask for, refused in production when
  e-mail is not configured.
"""
