import {describe, expect, it} from 'vitest';
import {endsSession, isMissingEndpoint} from './api';

describe('isMissingEndpoint', () => {
    it('is true for the router 404 and for 501', () => {
        expect(isMissingEndpoint({status_code: 404, server_error_id: 'api.context.404.app_error'})).toBe(true);
        expect(isMissingEndpoint({status_code: 501})).toBe(true);
        expect(isMissingEndpoint({status_code: 404, server_error_id: 'app.user.missing_account.const'})).toBe(false);
        expect(isMissingEndpoint({status_code: 400})).toBe(false);
    });
});

describe('endsSession', () => {
    it('is true for a 401 on an ordinary request', () => {
        expect(endsSession({message: '', status_code: 401, server_error_id: 'api.context.session_expired.app_error'}, '/api/v4/users/me')).toBe(true);
    });
    it('is false for failed sign-ins, wrong current passwords and other statuses', () => {
        expect(endsSession({message: '', status_code: 401}, '/api/v4/users/login')).toBe(false);
        expect(endsSession({message: '', status_code: 401, server_error_id: 'api.user.check_user_password.invalid.app_error'}, '/api/v4/users/me/patch')).toBe(false);
        expect(endsSession({message: '', status_code: 403}, '/api/v4/users/me')).toBe(false);
    });
});
