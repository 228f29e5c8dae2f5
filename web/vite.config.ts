/// <reference types="vitest/config" />
import {defineConfig} from 'vite';
import react from '@vitejs/plugin-react';

// The Hearth server the dev server and `vite preview` forward /api (HTTP and WebSocket) to.
const target = process.env.HEARTH_URL || 'http://127.0.0.1:8065';

const proxy = {
    '/api': {target, ws: true, changeOrigin: false},
};

export default defineConfig({
    plugins: [react()],
    base: '/',
    build: {
        outDir: '../assets/web',
        emptyOutDir: true,
        sourcemap: false,
        chunkSizeWarningLimit: 600,
    },
    server: {proxy},
    preview: {proxy},
    test: {
        environment: 'jsdom',
        include: ['src/**/*.test.ts'],
    },
});
