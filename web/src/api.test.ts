import {describe, expect, it} from 'vitest';
import {fixFirstConnectUrl, isMissingEndpoint} from './api';

describe('fixFirstConnectUrl', () => {
    it('drops the empty connection_id and its sequence_number on a first connect', () => {
        expect(fixFirstConnectUrl('ws://h/api/v4/websocket?connection_id=&sequence_number=0')).toBe('ws://h/api/v4/websocket');
    });

    it('keeps a resume untouched', () => {
        const url = 'ws://h/api/v4/websocket?connection_id=abc&sequence_number=7';
        expect(fixFirstConnectUrl(url)).toBe(url);
    });
});

describe('isMissingEndpoint', () => {
    it('is true for the router 404 and for 501', () => {
        expect(isMissingEndpoint({status_code: 404, server_error_id: 'api.context.404.app_error'})).toBe(true);
        expect(isMissingEndpoint({status_code: 501})).toBe(true);
        expect(isMissingEndpoint({status_code: 404, server_error_id: 'app.user.missing_account.const'})).toBe(false);
        expect(isMissingEndpoint({status_code: 400})).toBe(false);
    });
});
