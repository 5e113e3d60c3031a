// The System page's uploads (a backup to restore, a firmware bundle): the file goes as the
// request's body, streamed by the box to its disk, with the CSRF token as a header.
"use strict";

function uploadForms() {
  for (const form of document.querySelectorAll("form[data-upload]")) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (form.dataset.ask && !window.confirm(form.dataset.ask)) return;
      const file = form.querySelector("input[type=file]").files[0];
      const result = form.querySelector(".upload-result");
      const headers = { "X-CSRF-Token": form.dataset.csrf, Accept: "application/json" };
      for (const input of form.querySelectorAll("input[data-header]")) {
        headers[input.dataset.header] = input.value;
      }
      result.textContent = "…";
      try {
        const reply = await fetch(form.dataset.upload, {
          method: "POST", credentials: "same-origin", headers, body: file,
        });
        const answer = await reply.json();
        result.textContent = reply.ok ? JSON.stringify(answer) : answer.error;
        result.classList.toggle("error", !reply.ok);
      } catch (error) {
        result.textContent = String(error);
        result.classList.add("error");
      }
    });
  }
}

document.addEventListener("DOMContentLoaded", uploadForms);
