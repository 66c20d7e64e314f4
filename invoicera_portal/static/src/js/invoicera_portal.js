/** @odoo-module */

import { PortalHomeCounters } from "@portal/js/portal";

PortalHomeCounters.include({
    /**
     * The billing dashboard's card stays on the portal home when nothing is
     * open: the client approves work, downloads statements and sets up autopay
     * there too.
     *
     * @override
     */
    _getCountersAlwaysDisplayed() {
        return this._super(...arguments).concat(["invoicera_open_count"]);
    },
});
