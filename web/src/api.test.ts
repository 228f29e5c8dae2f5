import {describe, expect, it} from 'vitest';
import {isMissingEndpoint} from './api';

describe('isMissingEndpoint', () => {
    it('is true for the router 404 and for 501', () => {
        expect(isMissingEndpoint({status_code: 404, server_error_id: 'api.context.404.app_error'})).toBe(true);
        expect(isMissingEndpoint({status_code: 501})).toBe(true);
        expect(isMissingEndpoint({status_code: 404, server_error_id: 'app.user.missing_account.const'})).toBe(false);
        expect(isMissingEndpoint({status_code: 400})).toBe(false);
    });
});
