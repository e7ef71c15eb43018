/* A TEST-MODE stand-in for Stripe.js v3, served by ParkWell's local Stripe-compatible
 * server (benefits/stripe_local). It implements only what ParkWell's pages use:
 *   Stripe(publishableKey, {locale}) -> stripe
 *   stripe.elements({clientSecret}) -> elements;  elements.create("payment").mount(el)
 *   stripe.confirmPayment({elements, confirmParams: {return_url}}) -> Promise<{error}>
 *   stripe.retrievePaymentIntent(clientSecret) -> Promise<{paymentIntent}>
 * It talks to the server it was loaded from, as Stripe.js talks to api.stripe.com, and is
 * clearly labelled TEST MODE on screen. Real card data must never be typed here: only
 * Stripe's test cards are accepted (4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is
 * declined). In production the page loads https://js.stripe.com/v3/ instead. */
(function () {
  "use strict";
  var script = document.currentScript;
  var API = script ? new URL(script.src).origin : "";

  var TEXT = {
    zh: {
      banner: "测试模式 · TEST MODE：不会产生真实扣款。测试卡号 4242 4242 4242 4242 付款成功，4000 0000 0000 0002 被拒绝。",
      method: "付款方式", card: "银行卡", alipay: "支付宝", wechat_pay: "微信支付",
      number: "卡号", expiry: "有效期（月/年）", cvc: "安全码",
      redirect: "点击付款后将前往支付宝（测试页面）完成授权，然后自动返回。",
      qr: "点击付款后将显示微信支付二维码（测试页面），付款后自动返回。",
      incomplete: "请填写完整的卡号。", network: "无法连接支付服务，请稍后再试。",
      declined: "您的银行卡被拒绝。请换一张卡再试。",
      insufficient: "您的银行卡余额不足。请换一张卡再试。",
      incorrect: "卡号不正确（测试模式请使用测试卡号，如 4242 4242 4242 4242）。",
      state: "这笔付款当前无法继续。"
    },
    en: {
      banner: "TEST MODE: no real money moves. Test card 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined.",
      method: "Payment method", card: "Card", alipay: "Alipay", wechat_pay: "WeChat Pay",
      number: "Card number", expiry: "Expiry (MM/YY)", cvc: "CVC",
      redirect: "After you pay you will go to Alipay (a test page) to authorise, then come back.",
      qr: "After you pay a WeChat Pay QR code is shown (a test page); you come back once paid.",
      incomplete: "Your card number is incomplete.", network: "The payment service cannot be reached. Please try again.",
      declined: "Your card was declined. Please try another card.",
      insufficient: "Your card has insufficient funds. Please try another card.",
      incorrect: "Your card number is incorrect (in test mode use a test card such as 4242 4242 4242 4242).",
      state: "This payment cannot go on right now."
    }
  };

  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      if (key === "text") { node.textContent = props[key]; }
      else if (key === "style") { Object.assign(node.style, props[key]); }
      else { node.setAttribute(key, props[key]); }
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function form(data) {
    return Object.keys(data).filter(function (k) { return data[k] !== undefined && data[k] !== ""; })
      .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(data[k]); })
      .join("&");
  }

  function intentId(clientSecret) { return String(clientSecret).split("_secret_")[0]; }

  function request(method, path, data) {
    var url = API + path, options = {method: method};
    if (method === "GET") { url += "?" + form(data); }
    else {
      options.body = form(data);
      options.headers = {"Content-Type": "application/x-www-form-urlencoded"};
    }
    return fetch(url, options).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    });
  }

  function PaymentElement(elements) {
    this.elements = elements;
    this.method = "card";
    this.node = null;
  }

  PaymentElement.prototype.mount = function (target) {
    var host = typeof target === "string" ? document.querySelector(target) : target;
    var t = this.elements.text, self = this, id = "pe-" + Math.random().toString(36).slice(2, 8);
    var inputStyle = {display: "block", width: "100%", boxSizing: "border-box", minHeight: "44px",
                      fontSize: "16px", padding: "8px 12px", border: "1px solid #7b8794",
                      borderRadius: "8px", marginTop: "4px"};
    var banner = el("p", {"class": "stripe-test-mode", "data-testid": "stripe-test-mode", role: "note",
                          text: t.banner, style: {background: "#fff3c4", color: "#5c4400",
                          border: "2px dashed #b58100", borderRadius: "12px", padding: "8px 12px",
                          fontWeight: "700", margin: "0 0 12px"}});
    var choices = el("div", {role: "radiogroup", "aria-label": t.method,
                             style: {display: "flex", gap: "8px", flexWrap: "wrap", margin: "4px 0 12px"}});
    this.elements.methods.forEach(function (method) {
      var radio = el("input", {type: "radio", name: id + "-method", value: method, id: id + "-" + method});
      if (method === self.method) { radio.checked = true; }
      radio.addEventListener("change", function () { self.method = method; self.render(); });
      choices.appendChild(el("label", {"for": id + "-" + method, style: {display: "inline-flex",
        alignItems: "center", gap: "6px", minHeight: "44px", padding: "0 12px", border: "1px solid #7b8794",
        borderRadius: "8px", background: "#fff"}}, [radio, el("span", {text: t[method] || method})]));
    });
    this.number = el("input", {id: id + "-number", inputmode: "numeric", autocomplete: "cc-number",
                               placeholder: "4242 4242 4242 4242", style: inputStyle});
    this.expiry = el("input", {id: id + "-expiry", inputmode: "numeric", autocomplete: "cc-exp",
                               placeholder: "12 / 34", style: inputStyle});
    this.cvc = el("input", {id: id + "-cvc", inputmode: "numeric", autocomplete: "cc-csc",
                            placeholder: "123", style: inputStyle});
    var label = function (input, text) {
      return el("label", {"for": input.id, style: {display: "block", marginBottom: "8px"}},
                [el("span", {text: text}), input]);
    };
    this.cardFields = el("div", {}, [label(this.number, t.number), el("div", {style: {display: "grid",
      gridTemplateColumns: "1fr 1fr", gap: "8px"}}, [label(this.expiry, t.expiry), label(this.cvc, t.cvc)])]);
    this.note = el("p", {style: {margin: "4px 0"}});
    var legend = el("p", {text: t.method, style: {margin: "0", fontWeight: "600"}});
    this.node = el("div", {"class": "stripe-test-element"}, [banner, legend, choices, this.cardFields, this.note]);
    host.appendChild(this.node);
    this.render();
    return this;
  };

  PaymentElement.prototype.render = function () {
    var t = this.elements.text;
    this.cardFields.hidden = this.method !== "card";
    this.note.hidden = this.method === "card";
    this.note.textContent = this.method === "alipay" ? t.redirect : t.qr;
  };

  PaymentElement.prototype.on = function () { return this; };
  PaymentElement.prototype.unmount = function () { if (this.node) { this.node.remove(); } };

  function Elements(stripe, options) {
    this.stripe = stripe;
    this.clientSecret = options.clientSecret;
    this.text = stripe.text;
    this.methods = ["card", "alipay", "wechat_pay"];
    this.element = null;
  }

  Elements.prototype.create = function (type) {
    if (type !== "payment") { throw new Error("This test-mode stand-in offers the Payment Element only"); }
    this.element = new PaymentElement(this);
    return this.element;
  };

  Elements.prototype.submit = function () { return Promise.resolve({}); };

  function errorFrom(body, t) {
    var error = (body && body.error) || {};
    var message = t.state;
    if (error.decline_code === "insufficient_funds") { message = t.insufficient; }
    else if (error.code === "card_declined") { message = t.declined; }
    else if (error.code === "incorrect_number") { message = t.incorrect; }
    return {type: error.type || "api_error", code: error.code, decline_code: error.decline_code,
            message: message, payment_intent: error.payment_intent};
  }

  function withQuery(url, params) {
    var target = new URL(url, window.location.href);
    Object.keys(params).forEach(function (k) { target.searchParams.set(k, params[k]); });
    return target.toString();
  }

  function StripeTestMode(key, options) {
    if (!(this instanceof StripeTestMode)) { return new StripeTestMode(key, options); }
    var locale = ((options && options.locale) || document.documentElement.lang || "en").slice(0, 2);
    this.key = key;
    this.text = TEXT[locale] || TEXT.en;
    this.testMode = true;
  }

  StripeTestMode.prototype.elements = function (options) { return new Elements(this, options || {}); };

  StripeTestMode.prototype.retrievePaymentIntent = function (clientSecret) {
    return request("GET", "/v1/payment_intents/" + intentId(clientSecret),
                   {key: this.key, client_secret: clientSecret}).then(function (answer) {
      return answer.ok ? {paymentIntent: answer.body} : {error: answer.body.error};
    });
  };

  StripeTestMode.prototype.confirmPayment = function (options) {
    var elements = options.elements, element = elements.element, t = this.text;
    var returnUrl = (options.confirmParams || {}).return_url;
    var data = {key: this.key, client_secret: elements.clientSecret, return_url: returnUrl,
                "payment_method_data[type]": element.method};
    if (element.method === "card") {
      var number = element.number.value.replace(/\D/g, "");
      if (number.length < 12) {
        return Promise.resolve({error: {type: "validation_error", code: "incomplete_number", message: t.incomplete}});
      }
      data["payment_method_data[card][number]"] = number;
    }
    return request("POST", "/v1/payment_intents/" + intentId(elements.clientSecret) + "/confirm", data)
      .then(function (answer) {
        if (!answer.ok) { return {error: errorFrom(answer.body, t)}; }
        var intent = answer.body, next = intent.next_action;
        if (next && next.alipay_handle_redirect) {
          window.location.assign(next.alipay_handle_redirect.url);
        } else if (next && next.wechat_pay_display_qr_code) {
          window.location.assign(next.wechat_pay_display_qr_code.hosted_instructions_url);
        } else if (options.redirect === "if_required") {
          return {paymentIntent: intent};
        } else {
          window.location.assign(withQuery(returnUrl, {payment_intent: intent.id,
            payment_intent_client_secret: intent.client_secret,
            redirect_status: intent.status === "succeeded" ? "succeeded" : intent.status}));
        }
        return new Promise(function () {});  // the page is leaving
      }, function () {
        return {error: {type: "api_connection_error", message: t.network}};
      });
  };

  window.Stripe = StripeTestMode;
})();
