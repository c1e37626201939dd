// The shop's client hooks (dj-hook), registered before the djust client starts.
window.DjustHooks = {
  // The counter's value: a short highlight each time a patch changes it.
  Pulse: {
    updated() {
      this.el.classList.remove("pulse");
      void this.el.offsetWidth; // restart the animation
      this.el.classList.add("pulse");
    },
  },
  // The clock (core/clock.html): refreshed by the server every 30 seconds.
  Ticker: {
    mounted() {
      this.timer = setInterval(() => this.pushEvent("tick"), 30000);
    },
    destroyed() {
      clearInterval(this.timer);
    },
  },
  // The counter's milestones: the view's push_event("milestone", {count}).
  Milestones: {
    mounted() {
      this.handleEvent("milestone", ({ count }) => {
        this.el.textContent = `Milestone: ${count}!`;
      });
    },
  },
};
