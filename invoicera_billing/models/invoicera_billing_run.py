import logging
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, format_date, split_every

from odoo.addons.base.models.ir_qweb import QWebException
from odoo.addons.queue_job.delay import group
from odoo.addons.queue_job.exception import RetryableJobError

from .invoicera_billable_mixin import ENGINE, engine_flag

_logger = logging.getLogger(__name__)

#: a client's log line with one of these is finished; ``skipped`` is retried
FINAL_STATUSES = ("invoiced", "failed", "nothing")
#: fields only the run's own code writes (see ``_write_run``)
RUN_FIELDS = {
    "name",
    "state",
    "client_count",
    "client_ids",
    "user_id",
    "started_on",
    "chunk_size",
    "log_ids",
    "invoice_ids",
}
#: what the user chooses before the run starts, fixed once it has
RUN_PARAMETERS = {"company_id", "invoice_date", "cutoff_date", "partner_ids", "post", "send"}
#: a chunk job retries its skipped clients this many times, this many seconds
#: later each time (times the attempt); then Resume does
SKIPPED_RETRIES = 3
SKIPPED_RETRY_DELAY = 300
#: a client's work changed this long before its run started may be why
#: the run found nothing to bill (see ``_nothing_to_bill_reasons``)
CHANGED_MARGIN = timedelta(hours=1)
#: what refuses to make or send a client's e-mail (its template, its PDF): the
#: client's invoices stay posted, not sent, and the others are sent
SEND_ERRORS = (UserError, ValidationError, QWebException)
#: errors never turned into a client's failure, whatever else is: the
#: database's (a concurrent change, a lost connection: Odoo retries the request,
#: queue_job the job) and a job's request to be retried
RETRY_ERRORS = (psycopg2.OperationalError, psycopg2.InterfaceError, RetryableJobError)


def _error_text(error):
    """An error no one foresaw, as the run's log names it: its kind, its message."""
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class InvoiceraBillingRun(models.Model):
    """One "Invoice all": the unbilled items of many clients invoiced in one go.

    Clients are processed in chunks. A run of at most one chunk is processed at
    once; a bigger one is split into background jobs (OCA queue_job), each
    committing its chunk. Every client gets a line in the run's log: invoiced,
    failed (with the reason; its invoices are rolled back, the others go on),
    skipped (someone else was changing its items: retried later by a job, or by
    Resume) or nothing to bill. The clients are fixed when the run starts. Re-running or
    resuming a run never bills an item twice.
    """

    _name = "invoicera.billing.run"
    _description = "Billing Run"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, default=lambda self: _("New"), copy=False)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users", "Started by", readonly=True, copy=False, default=lambda self: self.env.user
    )
    started_on = fields.Datetime(readonly=True, copy=False)
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("running", "Running"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
    )
    invoice_date = fields.Date(required=True, default=fields.Date.context_today)
    cutoff_date = fields.Date(
        "Cut-off Date",
        required=True,
        compute="_compute_cutoff_date",
        store=True,
        readonly=False,
        precompute=True,
        help="Only items dated on or before this day are invoiced. Changing the "
        "invoice date sets it to that date; set it apart afterwards if need be.",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        string="Clients",
        help="Leave empty to invoice every client with items to bill.",
    )
    post = fields.Boolean("Post Invoices", help="Post the invoices instead of leaving drafts.")
    send = fields.Boolean(
        "Send by Email",
        compute="_compute_send",
        store=True,
        readonly=False,
        precompute=True,
        help="Send the posted invoices by e-mail to the clients who get their "
        "invoices by e-mail (their Invoice sending setting, by e-mail when not set); "
        "the run's log names the others.",
    )
    lock_date_message = fields.Char(
        compute="_compute_lock_date_message",
        help="Odoo's warning when the invoice date is in a locked period: posted "
        "invoices are then accounted on a later date.",
    )
    # set by code only (RUN_FIELDS)
    chunk_size = fields.Integer(
        compute="_compute_chunk_size",
        store=True,
        precompute=True,
        readonly=False,
        copy=False,
    )
    client_count = fields.Integer(
        "Clients in Run",
        readonly=True,
        copy=False,
        help="The clients the run goes through: those with work to bill when it "
        "started, and those chosen with nothing to bill (its log says why).",
    )
    client_ids = fields.Many2many(
        "res.partner",
        "invoicera_billing_run_client_rel",
        "run_id",
        "partner_id",
        string="Clients of the Run",
        readonly=True,
        copy=False,
        help="The clients with items to bill when the run started: the run and its "
        "Resume invoice these, not clients with work logged since.",
    )
    log_ids = fields.One2many("invoicera.billing.run.log", "run_id", readonly=True)
    invoice_ids = fields.One2many("account.move", "invoicera_run_id", string="Invoices")
    invoice_count = fields.Integer(compute="_compute_counts")
    done_count = fields.Integer("Processed", compute="_compute_counts")
    failed_count = fields.Integer("Failed", compute="_compute_counts")
    not_sent_count = fields.Integer(
        "Not Sent",
        compute="_compute_counts",
        help="Clients invoiced but not sent their invoices by e-mail: no e-mail address, "
        "or an e-mail that could not be made (the log says why).",
    )
    progress = fields.Float(compute="_compute_counts")

    @api.depends("log_ids.status", "invoice_ids", "client_count")
    def _compute_counts(self):
        stats = {
            (run, status): count
            for run, status, count in self.env["invoicera.billing.run.log"]._read_group(
                [("run_id", "in", self.ids)], ["run_id", "status"], ["__count"]
            )
        }
        not_sent = dict(
            self.env["invoicera.billing.run.log"]._read_group(
                [("run_id", "in", self.ids), ("not_sent", "=", True)], ["run_id"], ["__count"]
            )
        )
        invoices = dict(
            self.env["account.move"]._read_group(
                [("invoicera_run_id", "in", self.ids)], ["invoicera_run_id"], ["__count"]
            )
        )
        for run in self:
            done = sum(stats.get((run, status), 0) for status in FINAL_STATUSES)
            run.done_count = done
            run.failed_count = stats.get((run, "failed"), 0)
            run.not_sent_count = not_sent.get(run, 0)
            run.invoice_count = invoices.get(run, 0)
            run.progress = min(100.0, 100.0 * done / run.client_count) if run.client_count else 0.0

    @api.depends("invoice_date", "post", "company_id", "state")
    def _compute_lock_date_message(self):
        # Odoo's own warning of an invoice's form (tax_lock_date_message), for
        # the invoices the run will post: an invoice of the company's sales
        # journal, taxed, dated the run's invoice date
        for run in self:
            run.lock_date_message = False
            if run.state != "draft" or not run.post or not run.invoice_date:
                continue
            invoice = (
                self.env["account.move"]
                .with_company(run.company_id)
                .new({"move_type": "out_invoice", "invoice_date": run.invoice_date})
            )
            try:
                journal = invoice.journal_id
            except UserError:
                # no sales journal: the run says so, client by client (_invoice_header)
                continue
            if journal:
                run.lock_date_message = invoice._get_lock_date_message(
                    run.invoice_date, has_tax=True
                )

    @api.depends("invoice_date")
    def _compute_cutoff_date(self):
        # billing a month on the 2nd, invoices dated the 31st: that month's work
        for run in self:
            run.cutoff_date = run.invoice_date or fields.Date.context_today(run)

    @api.depends("company_id.invoicera_run_chunk_size")
    def _compute_chunk_size(self):
        # Clients per Job: the run's company's setting, as it is when the run
        # starts (a draft follows it); a started run keeps the size it ran with
        for run in self:
            if run.state == "draft" or not run.chunk_size:
                run.chunk_size = run.company_id.invoicera_run_chunk_size or 50
            else:
                run.chunk_size = run.chunk_size

    @api.depends("post")
    def _compute_send(self):
        # drafts are not sent: unticking Post unticks Send, which it hides
        for run in self:
            run.send = run.post and run.send

    @api.constrains("send", "post")
    def _check_send_posted(self):
        if any(run.send and not run.post for run in self):
            raise ValidationError(_("Only posted invoices can be sent: tick Post Invoices."))

    @api.constrains("invoice_date", "cutoff_date")
    def _check_cutoff_date(self):
        # an invoice dated the 31st billing work of the 1st of next month
        for run in self:
            if run.cutoff_date and run.invoice_date and run.cutoff_date > run.invoice_date:
                raise ValidationError(
                    _(
                        "The cut-off date (%(cutoff)s) is after the invoice date "
                        "(%(invoice_date)s): the invoices would bill work done after their "
                        "own date. Set a cut-off date on or before the invoice date.",
                        cutoff=format_date(self.env, run.cutoff_date),
                        invoice_date=format_date(self.env, run.invoice_date),
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        runs = self
        if not self._is_run_code():
            # nor through the context's defaults: the caller's are dropped
            context = {
                key: value
                for key, value in self.env.context.items()
                if not (key.startswith("default_") and key[8:] in RUN_FIELDS)
            }
            runs = self.with_env(self.env(context=context))
        for vals in vals_list:
            self._check_run_fields(vals)
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("invoicera.billing.run") or _(
                    "New"
                )
        return super(InvoiceraBillingRun, runs).create(vals_list)

    def write(self, vals):
        self._check_run_fields(vals)
        if RUN_PARAMETERS & set(vals) and not self._is_run_code():
            started = self.filtered(lambda run: run.state != "draft")
            if started:
                raise UserError(
                    _(
                        "The run %(runs)s has started: its dates, clients and options can "
                        "no longer be changed. Start a new run instead.",
                        runs=", ".join(started.mapped("name")),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if self.env.su:
            return
        # its background jobs would fail on a run no longer there, leaving the
        # rest of its clients' work unbilled without a word
        running = self.filtered(lambda run: run.state == "running")
        if running:
            raise UserError(
                _(
                    "The run %(runs)s is invoicing its clients: cancel it before deleting it.",
                    runs=", ".join(running.mapped("name")),
                )
            )
        if self.env.user.has_group("invoicera_billing.group_billing_manager"):
            return
        started = self.filtered(lambda run: run.state != "draft")
        if started:
            raise UserError(
                _(
                    "Only a draft billing run can be deleted; %(runs)s has started.",
                    runs=", ".join(started.mapped("name")),
                )
            )

    def _is_run_code(self):
        """Whether the run's own code is writing (or the superuser), not a caller."""
        return self.env.su or engine_flag(self.env, "invoicera_run")

    def _check_run_fields(self, vals):
        """Refuse a caller's values for the fields the run sets itself."""
        if self._is_run_code():
            return
        owned = [self._fields[fname].string for fname in vals if fname in RUN_FIELDS]
        if owned:
            raise UserError(
                _(
                    "These fields of billing runs are set by the run itself, not "
                    "written: %(fields)s.",
                    fields=", ".join(owned),
                )
            )

    def _write_run(self, vals):
        """The run's own writes of its state and counts."""
        return self.with_context(invoicera_run=ENGINE).write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_start(self):
        """Invoice the clients: at once for one chunk, else in background jobs."""
        self.ensure_one()
        if self.state != "draft":
            raise UserError(_("The run %(run)s has already started.", run=self.name))
        partners = self._partners_to_invoice()
        chosen = self.with_context(active_test=False).partner_ids
        # the clients chosen (a contact stands for its client) with nothing to
        # bill: the clerk sees their work in Unbilled Work and is told why the
        # run leaves it, in the error or in the run's log
        idle = chosen.commercial_partner_id - partners
        reasons = self._no_billable_work_reasons(idle)
        if not partners:
            message = _(
                "There is nothing to invoice for %(clients)s up to the cut-off date "
                "(%(cutoff)s).",
                clients=", ".join(chosen.mapped("display_name"))
                or _("any client of %(company)s", company=self.company_id.name),
                cutoff=format_date(self.env, self.cutoff_date),
            )
            raise UserError(
                "\n".join(
                    [message]
                    + [
                        _("%(client)s: %(reason)s", client=client.display_name, reason=reason)
                        for client, reason in reasons.items()
                    ]
                )
            )
        self._write_run(
            {
                "state": "running",
                # who starts it, not who prepared the draft: its jobs run as them
                "user_id": self.env.uid,
                "started_on": fields.Datetime.now(),
                # Clients per Job as set now (read while a draft, which follows
                # the setting), kept for the jobs and Resume of the run
                "chunk_size": self.chunk_size,
                # every client of its log: the progress reaches 100% when the
                # clients to invoice are, not before
                "client_count": len(partners) + len(idle),
                "client_ids": [fields.Command.set(partners.ids)],
            }
        )
        # Their final line now: every client chosen is in the log. They are not
        # clients of the run (client_ids): no chunk, Resume or end of the run
        # looks for them, so none logs them again.
        # sudo: the log is written by the run only, billing staff read it
        self.env["invoicera.billing.run.log"].sudo().create(
            [self._log_values(client, "nothing", reason) for client, reason in reasons.items()]
        )
        self._dispatch(partners)
        return self._action_open()

    def action_resume(self):
        """Process the clients of a run not finished yet: without a log line (after
        a crash) or skipped (someone else was changing their items).

        Refused while a job of the run waits or runs: it will process its
        clients. Failed jobs are replaced by new ones; cancelling them also
        cancels the end-of-run job waiting for them. Refused for a run not
        running (not started, done or cancelled): it has nothing to resume.
        """
        idle = self.filtered(lambda r: r.state != "running")
        if idle:
            states = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                _(
                    "Only a running billing run can be resumed: %(runs)s.",
                    runs=", ".join(f"{run.name} ({states[run.state]})" for run in idle),
                )
            )
        if self:
            # Two users resuming a run at once: the second's transaction fails to
            # serialize on the run's row (Odoo retries the request, which then
            # finds the first's jobs, or the run done), rather than queueing the
            # same clients twice (queue_job's identity keys see committed jobs
            # only).
            self.env.cr.execute(
                SQL(
                    "UPDATE invoicera_billing_run SET write_date = write_date WHERE id IN %s",
                    tuple(self.ids),
                )
            )
        for run in self:
            jobs = run._unfinished_jobs()
            live = jobs.filtered(lambda job: job.state in ("pending", "enqueued", "started"))
            if live:
                raise UserError(
                    _(
                        "The run %(run)s still has %(count)s background jobs waiting or "
                        "running: they will invoice its remaining clients. If the server "
                        "stopped while they ran, an administrator requeues or cancels them "
                        "in Queue Jobs first.",
                        run=run.name,
                        count=len(live),
                    )
                )
            jobs.filtered(lambda job: job.state == "failed").button_cancelled()
            jobs.filtered(lambda job: job.state == "wait_dependencies").button_cancelled()
            pending = run._pending_partners()
            if pending:
                run._dispatch(pending)
            else:
                run._check_done()
        return True

    def action_cancel(self):
        """Stop a running run: its background jobs not started yet are cancelled.

        What it has invoiced stays; its other clients' items stay to bill.
        Refused while one of its jobs is invoicing (it cannot be stopped midway).
        """
        for run in self:
            if run.state != "running":
                raise UserError(_("Only a running billing run can be cancelled."))
            jobs = run._unfinished_jobs()
            busy = jobs.filtered(lambda job: job.state in ("enqueued", "started"))
            if busy:
                raise UserError(
                    _(
                        "The run %(run)s is invoicing clients right now: cancel it again "
                        "once its running job has ended. If the server stopped while it "
                        "ran, an administrator requeues or cancels it in Queue Jobs first.",
                        run=run.name,
                    )
                )
            jobs.button_cancelled()
            run._write_run({"state": "cancelled"})
            # their retry was cancelled with the jobs: the log no longer promises it
            # (sudo: the log is written by the run only, billing staff read it)
            run.log_ids.filtered(lambda log: log.status == "skipped").sudo().write(
                {
                    "message": _(
                        "Not invoiced: someone else (another run, the audit or a user) "
                        "was changing this client's work, and the run was cancelled "
                        "before retrying. Its work stays to bill: invoice it in a new run."
                    )
                }
            )
            # the clients its cancelled jobs did not reach: every client of the
            # run has a line in its log, these as skipped (not processed)
            logged = run.log_ids.partner_id
            self.env["invoicera.billing.run.log"].sudo().create(
                [
                    run._log_values(
                        client,
                        "skipped",
                        _(
                            "Not invoiced: the run was cancelled before reaching this "
                            "client. Its work stays to bill: invoice it in a new run."
                        ),
                    )
                    for client in run._pending_partners() - logged
                ]
            )
        return True

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("invoicera_run_id", "=", self.id)]
        action["context"] = {"default_move_type": "out_invoice"}
        return action

    def _action_open(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------
    def _partners_to_invoice(self):
        """Clients with items to bill up to the cut-off date (all, or those chosen
        and the clients of the contacts chosen)."""
        self.ensure_one()
        Item = self.env["invoicera.billable.item"]
        # Archived clients too: they get a log line saying why they were not billed.
        chosen = self.with_context(active_test=False).partner_ids
        # a contact chosen (the person the office deals with) stands for its
        # client, whose work it is
        chosen |= chosen.commercial_partner_id
        domain = Item._billable_domain(self.company_id, self.cutoff_date, chosen or None)
        groups = Item._read_group(domain, ["partner_id"], order="partner_id")
        return self.env["res.partner"].union(*(partner for (partner,) in groups))

    def _run_clients(self):
        """The clients of the run, fixed when it started."""
        self.ensure_one()
        clients = self.with_context(active_test=False).client_ids
        if not clients:
            # run started before the clients were stored
            clients = self.log_ids.partner_id | self._partners_to_invoice()
        return clients

    def _final_partners(self):
        """The clients whose log line is final (not to process again)."""
        self.ensure_one()
        return self.log_ids.filtered(lambda log: log.status in FINAL_STATUSES).partner_id

    def _pending_partners(self):
        """The clients of the run without a final log line."""
        self.ensure_one()
        return self._run_clients() - self._final_partners()

    def _dispatch(self, partners):
        """Invoice ``partners``: at once for one chunk, else one background job per chunk.

        The chunk jobs run side by side, one per job worker. None of them can
        see what the others have not committed yet, so the two last chunks
        ending together would each find the run unfinished: a last job, run
        once every chunk job is done, ends the run.
        """
        self.ensure_one()
        chunks = list(split_every(self.chunk_size or 50, partners.ids))
        if len(chunks) == 1 or self.env.context.get("invoicera_run_now"):
            for ids in chunks:
                self._process_chunk(ids)
            return
        chunk_jobs = [
            self.delayable(
                description=_(
                    "%(run)s: clients %(chunk)s of %(total)s",
                    run=self.name,
                    chunk=number,
                    total=len(chunks),
                ),
                identity_key=f"invoicera_run_{self.id}_{ids[0]}",
            )._process_chunk(ids)
            for number, ids in enumerate(chunks, start=1)
        ]
        group(*chunk_jobs).on_done(self._end_run_job()).delay()

    def _end_run_job(self):
        """The job ending the run, to run once the jobs it is chained to are done."""
        return self.delayable(description=_("%(run)s: end of the run", run=self.name))._end_run()

    def _unfinished_jobs(self):
        """The background jobs of the run neither done nor cancelled."""
        self.ensure_one()
        # sudo: billing staff may not read the job queue; only this run's jobs
        # are returned
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search([("model_name", "=", self._name), ("state", "not in", ("done", "cancelled"))])
        )
        return jobs.filtered(lambda job: self.id in job.records.ids)

    def _end_run(self):
        """Job run once every chunk job of the run is done: mark the run done."""
        self._check_done()

    def _process_chunk(self, partner_ids, attempt=0):
        """Invoice the clients ``partner_ids``; one log line each. Job entry point.

        A client whose items someone else is changing is skipped; in a job, a
        new job retries the skipped clients a few minutes later (``attempt``:
        how many times they have been already), then Resume does.

        An error no one foresaw undoes what the chunk did; its clients are then
        invoiced one by one, and the one that stops again is logged as failed,
        with the error, while the run goes on (billing staff see why in its
        log, not only in Queue Jobs). The database's concurrency errors and
        RetryableJobError are raised, for the request or the job to be retried.
        """
        self.ensure_one()
        if self.state == "cancelled":
            return
        self._invoice_chunk_or_log(partner_ids, attempt)
        self._check_done()

    def _invoice_chunk_or_log(self, partner_ids, attempt):
        """:meth:`_invoice_chunk`, undone when an unforeseen error stops it
        midway: then client by client, a client stopped on its own failed."""
        try:
            with self.env.cr.savepoint():
                self._invoice_chunk(partner_ids, attempt)
        except RETRY_ERRORS:
            raise
        except Exception as error:
            if len(partner_ids) > 1:
                _logger.info(
                    "Billing run %s: clients %s invoiced one by one, together they stopped "
                    "on: %s",
                    self.name,
                    partner_ids,
                    _error_text(error),
                )
                for partner_id in partner_ids:
                    self._invoice_chunk_or_log([partner_id], attempt)
                return
            _logger.exception(
                "Billing run %s: client %s not invoiced, an unexpected error stopped it",
                self.name,
                partner_ids,
            )
            self._log_chunk_failed(partner_ids, error)

    def _invoice_chunk(self, partner_ids, attempt):
        """The work of ``_process_chunk``: invoice, send, log, retry later."""
        Log = self.env["invoicera.billing.run.log"].sudo()
        Item = self.env["invoicera.billable.item"]
        logs = Log.search([("run_id", "=", self.id), ("partner_id", "in", partner_ids)])
        done = set(logs.filtered(lambda log: log.status in FINAL_STATUSES).partner_id.ids)
        # skipped before: processed again, their log line updated
        retried = {log.partner_id.id: log for log in logs if log.status not in FINAL_STATUSES}
        partners = self.env["res.partner"].browse([pid for pid in partner_ids if pid not in done])
        domain = Item._billable_domain(self.company_id, self.cutoff_date, partners)
        items_by_partner = dict(
            Item._read_group(domain, ["partner_id"], ["id:recordset"], order="partner_id")
        )
        retry = bool(self.env.context.get("job_uuid")) and attempt < SKIPPED_RETRIES
        log_vals = []
        to_invoice = Item.browse()
        nothing = partners.filtered(lambda partner: partner not in items_by_partner)
        why_nothing = self._nothing_to_bill_reasons(nothing)
        for partner in partners:
            items = items_by_partner.get(partner, Item)
            if items:
                to_invoice |= items
            else:
                log_vals.append(self._log_values(partner, "nothing", why_nothing[partner]))
        results = to_invoice._invoice_clients(
            self.company_id, self.invoice_date, post=self.post, run=self
        )
        posted, invoiced_vals = {}, {}
        skipped = []
        for partner in partners:
            if partner not in results:
                continue
            status, result = results[partner]
            if status == "invoiced":
                items = items_by_partner[partner]
                vals = self._log_values(
                    partner, status, False, invoices=result, item_count=len(items)
                )
                posted[partner] = result.filtered(lambda m: m.state == "posted")
                invoiced_vals[partner] = vals
                log_vals.append(vals)
            elif status == "skipped":
                skipped.append(partner.id)
                if retry:
                    message = _(
                        "Not invoiced yet: someone else (another run, the audit or a user) "
                        "was changing this client's work. Retried in a few minutes."
                    )
                else:
                    message = _(
                        "Not invoiced: someone else (another run, the audit or a user) "
                        "was changing this client's work. Resume the run to retry."
                    )
                log_vals.append(self._log_values(partner, status, message))
            else:
                log_vals.append(self._log_values(partner, status, result))
        if self.send:
            send_errors = self._send(posted)
            for partner, vals in invoiced_vals.items():
                vals.update(self._not_sent_values(posted[partner], send_errors.get(partner)))
        # the clients' work a later run bills that has no item yet (time
        # awaiting its approval): said on their line, or they would not know
        # the invoice bills only part of their work
        waiting = self._no_billable_work_other_reasons(
            self.env["res.partner"].union(*invoiced_vals)
        )
        for partner, texts in waiting.items():
            vals = invoiced_vals[partner]
            vals["message"] = "\n".join(filter(None, [vals.get("message"), *texts]))
        new_vals = []
        for vals in log_vals:
            log = retried.get(vals["partner_id"])
            if log:
                log.write(dict(vals, not_sent=vals.get("not_sent", False)))
            else:
                new_vals.append(vals)
        Log.create(new_vals)
        if skipped and retry:
            self._retry_later(skipped, attempt + 1)

    def _log_chunk_failed(self, partner_ids, error):
        """Log the clients ``partner_ids`` not finished yet as failed on ``error``,
        which stopped their invoicing (all it did undone): nothing of theirs is
        invoiced."""
        Log = self.env["invoicera.billing.run.log"].sudo()
        logs = Log.search([("run_id", "=", self.id), ("partner_id", "in", partner_ids)])
        done = set(logs.filtered(lambda log: log.status in FINAL_STATUSES).partner_id.ids)
        retried = {log.partner_id.id: log for log in logs if log.status not in FINAL_STATUSES}
        message = _(
            "Not invoiced: an unexpected error stopped its invoicing (%(error)s). Its "
            "work stays to bill: invoice it in a new run.",
            error=_error_text(error),
        )
        new_vals = []
        for partner in self.env["res.partner"].browse(partner_ids):
            if partner.id in done:
                continue
            vals = dict(self._log_values(partner, "failed", message), not_sent=False)
            if partner.id in retried:
                retried[partner.id].write(vals)
            else:
                new_vals.append(vals)
        Log.create(new_vals)

    def _nothing_to_bill_reasons(self, partners):
        """``{client: why the run bills it nothing}`` for ``partners``, clients of
        the run (they had work to bill when it started) with nothing to bill now.

        Their work changed since the run listed them: invoiced (by another run,
        by hand), excluded, deferred, written off, sent back to the client for
        approval, dated after the cut-off, no longer billable at its source;
        else it went to another client or was deleted. One query for all.
        """
        self.ensure_one()
        if not partners:
            return {}
        # sudo: the run logs why, whichever items the user may read (another
        # company's contact...); only states, dates and invoice names are read.
        # Changes since the run started (not since its draft was saved). An
        # item's write date is when the transaction changing it began: one
        # begun a little before the run (another run invoicing the client) may
        # have changed the client's work after the run listed it.
        items = (
            self.env["invoicera.billable.item"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("partner_id", "in", partners.ids),
                    (
                        "write_date",
                        ">=",
                        (self.started_on or self.create_date) - CHANGED_MARGIN,
                    ),
                ]
            )
        )
        cutoff = self.cutoff_date
        # a draft not numbered yet is named "/"
        draft = _("a draft invoice")
        reasons = {
            "archived": _("%(count)s item(s) no longer billable at their source"),
            "invoiced": _("%(count)s item(s) invoiced in %(invoices)s"),
            "excluded": _("%(count)s item(s) excluded"),
            "written_off": _("%(count)s item(s) written off"),
            "deferred": _("%(count)s item(s) deferred to after the cut-off date"),
            "pending": _("%(count)s item(s) awaiting the client's approval"),
            "disputed": _("%(count)s item(s) disputed by the client"),
            "later": _("%(count)s item(s) dated after the cut-off date"),
        }

        def reason(item):
            if not item.active:
                return "archived"
            if item.state in ("invoiced", "excluded", "written_off"):
                return item.state
            if item.state == "deferred" and not (
                item.deferred_until and item.deferred_until <= cutoff
            ):
                return "deferred"
            if item.client_approval in ("pending", "disputed"):
                return item.client_approval
            if item.date > cutoff:
                return "later"
            return None

        result = {}
        items_by_partner = items.grouped("partner_id")
        for partner in partners:
            by_reason = items_by_partner.get(partner, items.browse()).grouped(reason)
            texts = [
                reasons[key]
                % {
                    "count": len(found),
                    "invoices": ", ".join(
                        dict.fromkeys(
                            move.name if move.name not in (False, "/") else draft
                            for move in found.invoice_id
                        )
                    ),
                }
                for key, found in by_reason.items()
                if key
            ]
            if texts:
                result[partner] = _(
                    "Nothing to bill: this client's work changed since the run listed "
                    "it: %(reasons)s.",
                    reasons="; ".join(texts),
                )
            else:
                result[partner] = _(
                    "Nothing to bill: since the run listed this client, its work to bill "
                    "went to another client or was deleted."
                )
        return result

    def _no_billable_work_reasons(self, partners):
        """``{client: why the run has nothing of theirs to bill}`` for ``partners``,
        clients chosen for the run without an item to bill up to its cut-off
        date (``_billable_domain``).

        Their work in Unbilled Work (the run's company's items to bill or
        deferred) is counted once per item: awaiting the client's approval or
        disputed by the client, else deferred until after the cut-off date,
        else dated after it. Two queries for all.
        """
        self.ensure_one()
        if not partners:
            return {}
        Item = self.env["invoicera.billable.item"]
        cutoff = self.cutoff_date
        cutoff_text = format_date(self.env, cutoff)
        approved = ("not_required", "approved")
        deferred_after = [
            ("state", "=", "deferred"),
            "|",
            ("deferred_until", "=", False),
            ("deferred_until", ">", cutoff),
        ]
        # the items left out of the run (not in its billable domain); a Billing
        # User reads the items of their companies, the run's among them
        domain = expression.AND(
            [
                [
                    ("company_id", "=", self.company_id.id),
                    ("partner_id", "in", partners.ids),
                    ("state", "in", ("to_bill", "deferred")),
                ],
                expression.OR(
                    [
                        [("client_approval", "not in", approved)],
                        deferred_after,
                        [("date", ">", cutoff)],
                    ]
                ),
            ]
        )
        counts = {
            (partner, approval): count
            for partner, approval, count in Item._read_group(
                domain, ["partner_id", "client_approval"], ["__count"]
            )
        }
        deferred = {
            partner: (count, until)
            for partner, count, until in Item._read_group(
                expression.AND([domain, [("client_approval", "in", approved)], deferred_after]),
                ["partner_id"],
                ["__count", "deferred_until:min"],
            )
        }
        others = self._no_billable_work_other_reasons(partners)
        result = {}
        for partner in partners:
            pending = counts.get((partner, "pending"), 0)
            disputed = counts.get((partner, "disputed"), 0)
            deferred_count, until = deferred.get(partner, (0, False))
            # neither awaiting the client nor deferred: left out for its date
            later = sum(counts.get((partner, key), 0) for key in approved) - deferred_count
            texts = []
            if pending:
                texts.append(_("%(count)s item(s) await the client's approval.", count=pending))
            if disputed:
                texts.append(_("%(count)s item(s) are disputed by the client.", count=disputed))
            if deferred_count and until:
                texts.append(
                    _(
                        "%(count)s item(s) are deferred until after the cut-off date "
                        "(%(cutoff)s), the first until %(date)s.",
                        count=deferred_count,
                        cutoff=cutoff_text,
                        date=format_date(self.env, until),
                    )
                )
            elif deferred_count:
                texts.append(
                    _(
                        "%(count)s item(s) are deferred until after the cut-off date "
                        "(%(cutoff)s).",
                        count=deferred_count,
                        cutoff=cutoff_text,
                    )
                )
            if later:
                texts.append(
                    _(
                        "%(count)s item(s) are dated after the cut-off date (%(cutoff)s).",
                        count=later,
                        cutoff=cutoff_text,
                    )
                )
            texts += others.get(partner, [])
            result[partner] = " ".join(texts) or _("The client has no unbilled work.")
        return result

    def _no_billable_work_other_reasons(self, partners):
        """Hook: ``{client: [sentence]}``, why ``partners`` have nothing to bill
        besides their items left out (work that has no item yet: a source says
        so, as time awaiting its approval does). Said of clients invoiced too:
        that work is billed by a later run."""
        return {}

    def _retry_later(self, partner_ids, attempt):
        """A job processing the skipped clients ``partner_ids`` again, later.

        As chunk jobs, retry jobs of several chunks run side by side, each
        blind to what the other has not committed: a job run once the retry
        is done ends the run, so that the last two ending together do not
        leave it running with nothing left to end it.
        """
        retry = self.delayable(
            eta=SKIPPED_RETRY_DELAY * attempt,
            description=_(
                "%(run)s: clients skipped, attempt %(attempt)s", run=self.name, attempt=attempt
            ),
            identity_key=f"invoicera_run_{self.id}_{partner_ids[0]}_retry_{attempt}",
        )._process_chunk(partner_ids, attempt=attempt)
        retry.on_done(self._end_run_job()).delay()

    def _log_values(self, partner, status, message, invoices=None, item_count=0):
        return {
            "run_id": self.id,
            "partner_id": partner.id,
            "status": status,
            "message": message,
            "invoice_ids": [fields.Command.set(invoices.ids)] if invoices else False,
            "item_count": item_count,
        }

    def _not_sent_values(self, invoices, error=None):
        """Log values for a client whose posted ``invoices`` were not e-mailed:
        ``error``, why sending them failed, else why :meth:`_to_email` left
        them out (their contacts want them otherwise, or have no e-mail
        address)."""
        if error:
            return {
                "not_sent": True,
                "message": _(
                    "Invoiced, not sent: %(error)s. Send the invoice from its form once corrected.",
                    error=error.rstrip("."),
                ),
            }
        posted = invoices.filtered(lambda m: m.state == "posted")
        not_sent = posted - self._to_email(posted)
        if not not_sent:
            return {}
        Send = self.env["account.move.send"]
        methods = dict(
            self.env["res.partner"]
            ._fields["invoice_sending_method"]
            ._description_selection(self.env)
        )
        by_method = not_sent.grouped(Send._get_default_sending_method)
        texts = [
            _(
                "Invoiced, not sent by e-mail: %(contacts)s gets its invoices otherwise "
                "(Invoice sending: %(method)s). Send the invoice from it.",
                contacts=", ".join(moves.partner_id.mapped("display_name")),
                method=methods.get(method, method),
            )
            for method, moves in by_method.items()
            if method != "email"
        ]
        if no_address := by_method.get("email"):
            texts.append(
                _(
                    "Invoiced, not sent: %(contacts)s has no e-mail address. Add one and "
                    "send the invoice from it.",
                    contacts=", ".join(no_address.partner_id.mapped("display_name")),
                )
            )
        return {"not_sent": True, "message": "\n".join(texts)}

    def _to_email(self, invoices):
        """Those of ``invoices`` the run e-mails: of contacts who get their
        invoices by e-mail (Odoo's Invoice sending setting; by e-mail when not
        set, as Send & Print), with an e-mail address."""
        Send = self.env["account.move.send"]
        return invoices.filtered(
            lambda m: Send._get_default_sending_method(m) == "email"
            and Send._is_applicable_to_move("email", m)
        )

    def _send(self, invoices_by_partner):
        """Send the posted invoices ``{client: its invoices}`` by e-mail, the way
        Odoo's Send & Print does: all at once, else invoice by invoice when that
        fails, so that an e-mail that cannot be made (its template, its PDF, its
        electronic invoice) leaves that invoice posted and not sent, and the
        others sent. As Send & Print (not its "continue anyway"), an invoice
        whose documents cannot be made is not sent with a proforma instead: the
        error is its client's reason in the run's log.

        Invoice by invoice also when wkhtmltopdf cannot make one PDF of several
        invoices (as Debian's, without its patched Qt): sending never undoes
        the invoicing.

        An invoice whose client gets its invoices otherwise (by post, to
        download) or has no e-mail address is left out (:meth:`_to_email`): its
        PDF is not made, nor is it marked as sent (Send & Print marks the
        invoices it makes a PDF of), so that Odoo's "Not Sent" filter finds it
        (its client's log says why: :meth:`_not_sent_values`).

        Returns ``{client: why (some of) its invoices were not sent}``.
        """
        to_send = {
            partner: emailed
            for partner, moves in invoices_by_partner.items()
            if (emailed := self._to_email(moves))
        }
        if not to_send:
            return {}
        moves = self.env["account.move"].union(*to_send.values())
        error = self._send_invoices(moves)
        if not error:
            return {}
        if len(moves) == 1:
            return {next(iter(to_send)): error}
        _logger.info(
            "Billing run %s: sent invoice by invoice, all at once failed: %s", self.name, error
        )
        errors = {}
        for partner, moves in to_send.items():
            for move in moves:
                error = self._send_invoices(move)
                if error and partner not in errors:
                    if len(moves) > 1:
                        error = _("%(invoice)s: %(error)s", invoice=move.name, error=error)
                    errors[partner] = error
        return errors

    def _send_invoices(self, moves):
        """E-mail ``moves``, all or none: nothing when sent, else why not.

        In a savepoint: what failed is undone (no invoice marked as sent
        without its e-mail, no PDF of it kept).
        """
        try:
            with self.env.cr.savepoint():
                self.env["account.move.send"]._generate_and_send_invoices(
                    moves, sending_methods=["email"]
                )
        except RETRY_ERRORS:
            raise
        except SEND_ERRORS as error:
            _logger.info("Billing run %s: %s not sent: %s", self.name, moves.mapped("name"), error)
            return str(error.args[0]) if error.args else str(error)
        except Exception as error:
            # several at once: retried one by one (a wkhtmltopdf that makes one
            # PDF at a time fails them all), the one failing then logged in full
            _logger.log(
                logging.WARNING if len(moves) == 1 else logging.INFO,
                "Billing run %s: %s not sent: %s",
                self.name,
                moves.mapped("name"),
                _error_text(error),
                exc_info=len(moves) == 1,
            )
            return _(
                "The invoice's PDF or e-mail could not be made (%(error)s)",
                error=_error_text(error),
            )
        return None

    def _check_done(self):
        """Done when every client of the run has a final log line (not skipped)."""
        final = dict(
            self.env["invoicera.billing.run.log"]
            .sudo()
            ._read_group(
                [("run_id", "in", self.ids), ("status", "in", FINAL_STATUSES)],
                ["run_id"],
                ["partner_id:array_agg"],
            )
        )
        for run in self.filtered(lambda r: r.state == "running"):
            if not set(run._run_clients().ids) - set(final.get(run, [])):
                run._write_run({"state": "done"})
