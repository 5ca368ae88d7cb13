/* The web chat without page reloads. Without this script every form still works:
   it posts, and the server answers with the whole page. With it, an answer is sent
   with fetch; the server returns the new messages and the next question, which are
   put in place; the log (role="log") lets screen readers hear the new messages, and
   focus moves to the next question. Nothing is sent anywhere but this server. */
(function () {
  "use strict";
  if (!window.fetch || !window.FormData || !document.querySelector) { return; }

  function byId(id) { return document.getElementById(id); }

  function formBody(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    return new URLSearchParams(data);
  }

  function setBusy(form, busy) {
    var controls = form.querySelectorAll("button, input, textarea");
    for (var i = 0; i < controls.length; i++) {
      if (busy) { controls[i].setAttribute("aria-disabled", "true"); }
      else { controls[i].removeAttribute("aria-disabled"); }
    }
    form.classList.toggle("busy", busy);
    form.dataset.busy = busy ? "1" : "";
  }

  function focusQuestion() {
    var composer = byId("now");
    if (!composer) { return; }
    var target = composer.querySelector("#answer") ||
      composer.querySelector("input[type=checkbox]") ||
      composer.querySelector("button");
    (target || composer).focus();
  }

  function show(body, keepComposer) {
    var log = byId("log");
    if (body.entries) {
      log.insertAdjacentHTML("beforeend", body.entries);
    }
    var notice = byId("notice");
    notice.innerHTML = body.notice || "";
    if (!keepComposer && typeof body.composer === "string") {
      byId("now").innerHTML = body.composer;
    }
    if (typeof body.resume === "string") { byId("resume").innerHTML = body.resume; }
    var last = log.lastElementChild;
    if (last && last.scrollIntoView) { last.scrollIntoView({ block: "start" }); }
    if (!keepComposer) { focusQuestion(); }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.hasAttribute || !form.hasAttribute("data-chat")) { return; }
    event.preventDefault();
    if (form.dataset.busy === "1") { return; }
    var body = formBody(form, event.submitter);
    setBusy(form, true);
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Chat-Fetch": "1" }
    }).then(function (response) {
      return response.json().then(function (json) { return { status: response.status, json: json }; });
    }).then(function (answer) {
      var json = answer.json;
      if (json.reload) { window.location.assign(json.location || "/chat#now"); return; }
      // Refused (too fast, too long): keep the form and what was typed in it.
      var refused = answer.status >= 400;
      setBusy(form, false);
      show(json, refused);
    }).catch(function () {
      setBusy(form, false);
      form.removeAttribute("data-chat");
      if (event.submitter && event.submitter.name) {
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = event.submitter.name;
        hidden.value = event.submitter.value;
        form.appendChild(hidden);
      }
      form.submit(); // the plain way: the server answers with the whole page
    });
  });
}());
