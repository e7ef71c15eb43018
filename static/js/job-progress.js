// The status page of a long operation (roster import, calendar upload): follows the job by
// reading this same page again until it has finished, then shows its summary or errors.
// A file, not an inline script, so that the Content-Security-Policy allows no inline code;
// without it the page's "Refresh" link does the same by hand.
(function () {
  var box = document.getElementById('job');
  if (!box || box.hasAttribute('data-finished') || !window.fetch || !window.DOMParser) { return; }
  var polls = 0;

  function copyText(id, fresh) {
    var mine = document.getElementById(id), theirs = fresh.querySelector('#' + id);
    if (mine && theirs && mine.textContent !== theirs.textContent) { mine.textContent = theirs.textContent; }
  }

  function update(fresh) {
    if (fresh.hasAttribute('data-finished')) {
      box.innerHTML = fresh.innerHTML;
      box.setAttribute('data-finished', '1');
      var heading = box.querySelector('h2');
      if (heading) { heading.setAttribute('tabindex', '-1'); heading.focus(); }
      return true;
    }
    var bar = document.getElementById('job-bar'), next = fresh.querySelector('#job-bar');
    if (bar && next) {
      if (next.hasAttribute('value')) {
        bar.max = Number(next.getAttribute('max'));
        bar.value = Number(next.getAttribute('value'));
        bar.textContent = next.textContent;
      } else { bar.removeAttribute('value'); }
    }
    copyText('job-stage', fresh);
    copyText('job-count', fresh);
    return false;
  }

  function poll() {
    polls += 1;
    fetch(box.getAttribute('data-poll'), {credentials: 'same-origin', headers: {'Accept': 'text/html'}})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, 'text/html').getElementById('job');
        if (fresh && update(fresh)) { return; }
        window.setTimeout(poll, polls < 30 ? 700 : 3000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, 500);
})();
