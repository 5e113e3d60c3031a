// Music on hold, prompts and recordings: a Play button next to each audio file.
"use strict";

function stopOthers(playing) {
  for (const audio of document.querySelectorAll("audio")) {
    if (audio !== playing && !audio.paused) audio.pause();
  }
}

function wirePlayButtons() {
  for (const button of document.querySelectorAll("button[data-play]")) {
    const audio = button.parentElement.querySelector("audio");
    if (!audio) continue;
    const label = () => {
      button.textContent = audio.paused ? button.dataset.labelPlay : button.dataset.labelStop;
    };
    audio.addEventListener("play", label);
    audio.addEventListener("pause", label);
    audio.addEventListener("ended", label);
    button.addEventListener("click", () => {
      if (!audio.paused) {
        audio.pause();
        return;
      }
      stopOthers(audio);
      audio.play().catch(() => label());
    });
  }
}

// An upload is converted on the box, which takes a moment: say so, and block a second click.
function markUploads() {
  for (const form of document.querySelectorAll("form.upload")) {
    form.addEventListener("submit", () => {
      for (const button of form.querySelectorAll("button")) button.disabled = true;
      form.classList.add("busy");
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  wirePlayButtons();
  markUploads();
});
