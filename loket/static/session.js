/* Loket dashboard: the one script. Everything works without it; it adds two things
   (WCAG 2.1 SC 2.2.1, timing adjustable):
   1. The idle logout warns first. The box #idle-warning (in every page of a logged-in
      staff member) appears a few minutes before the session would end; its button
      "Ingelogd blijven" makes a request that renews the session. When the time is up,
      the page goes to the login form, which returns here after logging in.
   2. Text typed in a field marked data-draft (a note, a question, a reason) is kept in
      this tab's sessionStorage while typing and put back when the page is opened
      again (after logging in again, or after a refused form); it is forgotten once the
      page says the form was saved (?done=... in data-draft-done). */
(function () {
  "use strict";

  var DRAFT = "loket-draft:";

  function draftKey(field) {
    return DRAFT + location.pathname + ":" + field.id;
  }

  function keepDrafts() {
    var fields = document.querySelectorAll("[data-draft]");
    var done = new URLSearchParams(location.search).get("done") || "";
    var restored = false;
    Array.prototype.forEach.call(fields, function (field) {
      var key = draftKey(field);
      var saved = (field.getAttribute("data-draft-done") || "").split(" ");
      try {
        if (done && saved.indexOf(done) !== -1) {
          sessionStorage.removeItem(key);
        } else if (!field.value) {
          var kept = sessionStorage.getItem(key);
          if (kept) {
            field.value = kept;
            restored = true;
          }
        }
      } catch (error) {
        return; /* storage switched off: the form still works */
      }
      field.addEventListener("input", function () {
        try {
          if (field.value) {
            sessionStorage.setItem(key, field.value);
          } else {
            sessionStorage.removeItem(key);
          }
        } catch (error) {
          /* storage full or off: nothing to do */
        }
      });
    });
    var notice = document.getElementById("draft-restored");
    if (restored && notice) {
      notice.setAttribute("role", "status");
      notice.hidden = false;
    }
  }

  function idleWarning() {
    var box = document.getElementById("idle-warning");
    if (!box) {
      return;
    }
    var button = document.getElementById("idle-stay");
    var idle = Number(box.getAttribute("data-idle-seconds")) * 1000;
    var warn = Number(box.getAttribute("data-warn-seconds")) * 1000;
    var warnTimer = 0;
    var endTimer = 0;
    var before = null;

    function end() {
      location.assign(box.getAttribute("data-login"));
    }

    function show() {
      before = document.activeElement;
      box.hidden = false;
      button.focus();
    }

    function schedule() {
      clearTimeout(warnTimer);
      clearTimeout(endTimer);
      box.hidden = true;
      warnTimer = setTimeout(show, Math.max(0, idle - warn));
      endTimer = setTimeout(end, idle);
    }

    button.addEventListener("click", function () {
      var body = new FormData();
      body.append("csrf_token", box.getAttribute("data-csrf"));
      fetch(box.getAttribute("data-keepalive"), {
        method: "POST",
        body: body,
        credentials: "same-origin",
      }).then(function (answer) {
        if (!answer.ok) {
          end();
          return;
        }
        schedule();
        if (before && typeof before.focus === "function") {
          before.focus();
        }
      }, function () {
        /* no connection: the warning stays, the button can be pressed again */
      });
    });
    schedule();
  }

  keepDrafts();
  idleWarning();
})();
