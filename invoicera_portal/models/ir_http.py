from odoo import models
from odoo.http import request

from ..controllers.api import API, error_response


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _handle_error(cls, exception):
        """The billing API answers JSON whatever went wrong, as its OpenAPI document
        says: an error raised deeper in Odoo (a PDF that fails to render, a record
        deleted meanwhile...) too, never Odoo's HTML error page."""
        path = request.httprequest.path
        if path == API or path.startswith(f"{API}/"):
            return error_response(exception)
        return super()._handle_error(exception)
