"""Helpers shared by the Invoicera addons' models."""

from odoo.tools.translate import _

#: records named in an error message at most, the others counted
MAX_NAMED = 10


def created_with(env, vals, fname):
    """The value ``create(vals)`` gives ``fname`` by the caller's hand: the one in
    ``vals``, else the caller's context default (``default_<fname>``, which a
    request may send)."""
    if fname in vals:
        return vals[fname]
    return env.context.get(f"default_{fname}")


def changed_by(records, vals, fnames):
    """The records of ``records`` whose fields ``fnames`` a ``write(vals)``
    changes: writing the values they have (a form or an import sending them
    again) changes nothing. Values are compared as the records hold them (an
    id, a float rounded to the field's digits)."""
    fnames = [fname for fname in fnames if fname in vals]

    def changes(record):
        for fname in fnames:
            field = records._fields[fname]
            value = field.convert_to_record(field.convert_to_cache(vals[fname], record), record)
            if record[fname] != value:
                return True
        return False

    return records.filtered(changes) if fnames else records.browse()


def named_for_message(records, name, limit=MAX_NAMED):
    """``records`` as an error message lists them, one per line, each as
    ``name(record)`` says, up to ``limit`` records, then how many more."""
    names = [name(record) for record in records[:limit]]
    if len(records) > limit:
        names.append(_("and %(count)s more", count=len(records) - limit))
    return "\n- " + "\n- ".join(names)
