// The desk works without this script; where it runs, it adds a word count and a growing
// field to the report, a warning before leaving unsent changes, and a status that follows
// the stages without a reload.
(function () {
  "use strict";

  function words(text) {
    var found = text.trim().match(/\S+/g);
    return found ? found.length : 0;
  }

  document.querySelectorAll("textarea[data-words]").forEach(function (area) {
    var count = document.createElement("p");
    count.className = "words";
    count.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", count);
    function update() {
      count.textContent = words(area.value) + " " + area.getAttribute("data-words");
      area.style.height = "auto";
      area.style.height = Math.max(area.scrollHeight + 4, 224) + "px";
    }
    area.addEventListener("input", update);
    update();
  });

  document.querySelectorAll("form[data-guard]").forEach(function (form) {
    var changed = false;
    form.addEventListener("input", function () { changed = true; });
    form.addEventListener("submit", function () { changed = false; });
    window.addEventListener("beforeunload", function (event) {
      if (changed) { event.preventDefault(); event.returnValue = ""; }
    });
  });

  var status = document.querySelector("#status[data-pending]");
  if (status) {
    var follow = function () {
      fetch(window.location.href, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.querySelector("#status");
          if (!fresh) { return; }
          if (fresh.innerHTML !== status.innerHTML) {
            status.innerHTML = fresh.innerHTML;
            ["#read", "#revisions"].forEach(function (selector) {
              var old = document.querySelector(selector), renewed = page.querySelector(selector);
              if (old && renewed) { old.innerHTML = renewed.innerHTML; }
            });
          }
          if (fresh.hasAttribute("data-pending")) { window.setTimeout(follow, 2000); }
          else { status.removeAttribute("data-pending"); }
        })
        .catch(function () { window.setTimeout(follow, 5000); });
    };
    window.setTimeout(follow, 2000);
  }
})();
