// Polls a job's status until it is done or failed, moving the progress bar; pages that show a job's outcome
// (an import's report, a file's check) ask to be reloaded when it finishes.
(function () {
  const box = document.getElementById("job");
  if (!box) return;
  const bar = document.getElementById("job-progress");
  const show = (progress) => {
    bar.style.width = progress + "%";
    bar.textContent = progress + "%";
    bar.parentElement.setAttribute("aria-valuenow", progress);
  };
  const render = (status) => {
    show(status.progress);
    box.dataset.state = status.state;
    document.querySelectorAll("[data-state-label]").forEach((label) => {
      label.hidden = label.dataset.stateLabel !== status.state;
    });
    const error = document.getElementById("job-error");
    error.hidden = !status.error;
    error.textContent = status.error || "";
    const link = document.getElementById("job-download");
    if (status.download_url) {
      link.href = status.download_url;
      link.hidden = false;
    }
  };
  show(Number(bar.dataset.progress));
  let wait = 500;
  const poll = () => {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => response.json())
      .then((status) => {
        const finished = status.state === "done" || status.state === "failed";
        if (finished && box.dataset.reloadOnFinish) {
          window.location.reload();
          return;
        }
        render(status);
        if (!finished) {
          wait = Math.min(wait * 1.3, 3000);
          setTimeout(poll, wait);
        }
      })
      .catch(() => setTimeout(poll, 3000));
  };
  if (box.dataset.state === "queued" || box.dataset.state === "running") poll();
})();
