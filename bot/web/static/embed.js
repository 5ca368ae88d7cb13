/* Loket Housing web chat for partner sites. Put a link on the page and load this
   script (docs/webchat.md):

     <a href="https://CHAT-HOST/chat" data-loket-chat>Chat met Loket Housing</a>
     <script src="https://CHAT-HOST/chat/embed.js" async></script>

   The link opens the chat in a small window of its own (the chat's cookie then
   belongs to the chat's site, so no third-party cookie is needed). Without this
   script, or when a pop-up is blocked, the link opens the chat as a normal page. */
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src).origin : "";
  function open(event) {
    var link = event.currentTarget;
    var url = origin ? origin + "/chat" : link.href;
    var chat = window.open(url, "loket-housing-chat",
      "width=440,height=720,resizable=yes,scrollbars=yes");
    if (chat) {
      try { chat.opener = null; } catch (ignored) { /* cross-origin: already cut */ }
      event.preventDefault();
    }
  }
  function enhance() {
    var links = document.querySelectorAll("a[data-loket-chat]");
    for (var i = 0; i < links.length; i++) {
      links[i].addEventListener("click", open);
      links[i].setAttribute("rel", "noopener");
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhance);
  } else {
    enhance();
  }
}());
