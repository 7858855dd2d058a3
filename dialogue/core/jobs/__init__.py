"""Long work off the request path: analysis runs, large imports, exports.

One interface, three runners:

- **threads** (the default): a small pool of threads in the app server's own process, so the
  embedded setup needs nothing more;
- **RQ** on Redis when ``REDIS_URL`` is set (or ``JOBS_RUNNER=rq``): any number of
  ``dialogue worker`` processes, on any machine that has the app's configuration;
- **inline** (``JOBS_RUNNER=inline``): the job runs at once in the caller, for tests.

Whatever runs a job, its state lives in the ``jobs`` table (``dialogue.core.models.job``), written
in short transactions of its own, so every app server answers "how far is it?" the same way.
``enqueue`` refuses a second active job with the same kind and key: the database's unique
``active_key`` decides, so a button pressed twice, on two servers at once, starts one job.

A job function is a module-level function ``func(job, *args)``; ``job`` is a
:class:`JobContext` for reporting progress. It returns a :class:`JobOutcome` (message and a
link to the result) or None, and it commits its own work with ``job.commit()``. When it
raises, the job fails with a message fit for the user: the error's own message when it is a
``UserError`` (a round's refusal, :class:`JobRefused`), otherwise a general one. The log gets
the job id, its kind and the exception's class: never a traceback (which could hold
contribution text in a local variable's repr) and never the text.

Exports (``dialogue.synthesis.queries.exports``) plug in the same way: a module-level
``func(job, dialogue_id, ...)`` that writes its file and returns
``JobOutcome(message, result_url=<download link>)``, enqueued with kind ``"export"``.

The modules: ``state`` (a job's row: read, written, finished, shown), ``runner`` (enqueue and
perform, the runner's choice, ``KINDS``), ``context`` (what a job function gets: ``JobContext``),
``untracked`` (work that leaves no row) and ``worker`` (the ``dialogue worker`` command and the
app a worker builds).
"""
