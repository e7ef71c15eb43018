// The check-in page: live counts and the camera's QR reader. A file, not an inline
// script, so that the Content-Security-Policy allows no inline code.
(function () {
  // The phone's own barcode reader (BarcodeDetector) where there is one; elsewhere (iPhones,
  // WeChat's browser) jsQR, served by ParkWell itself (static/vendor/jsqr) and loaded only
  // then. Nothing is loaded from elsewhere. Without a camera the typed code is the way in.
  var counts = document.getElementById('pk-counts');
  function refresh() {
    fetch(counts.dataset.url, {credentials: 'same-origin'}).then(function (r) { return r.json(); })
      .then(function (data) {
        counts.querySelectorAll('[data-count]').forEach(function (el) { el.textContent = data[el.dataset.count]; });
      }).catch(function () {});
  }
  setInterval(refresh, 5000);
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  var box = document.querySelector('.pk-camera');
  var native = 'BarcodeDetector' in window;
  box.hidden = false;
  box.dataset.reader = native ? 'native' : 'jsqr';

  function submit(code) {
    var form = document.getElementById('pk-checkin-form');
    form.querySelector('[name=code]').value = code;
    form.submit();
  }

  // A reader: a function(video) returning a promise of the code read, or null.
  function nativeReader() {
    var detector = new BarcodeDetector({formats: ['qr_code']});
    return Promise.resolve(function (video) {
      return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
    });
  }

  function jsqrReader() {
    return new Promise(function (resolve, reject) {
      var script = document.createElement('script');
      script.src = box.dataset.jsqr;
      script.onload = function () {
        var canvas = document.createElement('canvas');
        var context = canvas.getContext('2d', {willReadFrequently: true});
        resolve(function (video) {
          var width = video.videoWidth, height = video.videoHeight;
          if (!width || !height) { return Promise.resolve(null); }
          var scale = Math.min(1, 640 / Math.max(width, height));  // enough for a ticket, kind to old phones
          canvas.width = Math.round(width * scale); canvas.height = Math.round(height * scale);
          context.drawImage(video, 0, 0, canvas.width, canvas.height);
          var image = context.getImageData(0, 0, canvas.width, canvas.height);
          var found = window.jsQR(image.data, image.width, image.height, {inversionAttempts: 'dontInvert'});
          return Promise.resolve(found ? found.data : null);
        });
      };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  document.getElementById('pk-scan').addEventListener('click', function () {
    var video = document.getElementById('pk-video');
    Promise.all([native ? nativeReader() : jsqrReader(),
                 navigator.mediaDevices.getUserMedia({video: {facingMode: 'environment'}})])
      .then(function (ready) {
        var read = ready[0], stream = ready[1];
        video.srcObject = stream; video.play();
        var last = 0;
        function tick(now) {
          if (!native && now - last < 150) { requestAnimationFrame(tick); return; }  // ~7 reads a second
          last = now;
          read(video).then(function (code) {
            if (code) {
              stream.getTracks().forEach(function (t) { t.stop(); });
              submit(code);
            } else { requestAnimationFrame(tick); }
          }).catch(function () { requestAnimationFrame(tick); });
        }
        requestAnimationFrame(tick);
      }).catch(function () { box.hidden = true; });
  });
})();
