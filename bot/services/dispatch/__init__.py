"""The reminder engine's use cases, one job per module (no Telegram here: see bot.delivery).

* `claim`: take what is due (due schedule slots, queued and expired deliveries) in one short
  transaction, exactly once across replicas; and when the engine must next wake.
* `firings`: what a due slot produces at a moment (pure computation over a claim's rows).
* `outcomes`: record how each send ended; a blocked user stops receiving anything.
* `queueing`: the one way to queue a delivery outside the schedule ("Later", /next, an easier
  variation now); it marks the session so the dispatcher wakes once the change is committed.
* `handback`: at shutdown, release what was claimed and not sent, for another process.
"""
