// Shown to a signed-in user without a team: join an open team or create one.

import {useEffect, useState} from 'react';
import type {Team} from '@mattermost/types/teams';
import {client, errorMessage} from '../api';
import {logout, startSession} from '../actions';
import {navigate} from '../router';
import {getState, useAppState} from '../store';
import {TeamStep} from './Setup';

export function SelectTeam() {
    const me = useAppState((s) => s.me)!;
    const myTeams = useAppState((s) => s.teams);
    const [teams, setTeams] = useState<Team[] | null>(null);
    const [error, setError] = useState('');
    useEffect(() => {
        client.getTeams(0, 100).then((list) => setTeams((list as Team[]).filter((t) => t.delete_at === 0))).catch((e) => setError(errorMessage(e)));
    }, []);
    const joinable = (teams ?? []).filter((t) => !myTeams[t.id] && t.allow_open_invite);
    const canCreate = me.roles.includes('system_admin') || getState().config.EnableUserCreation !== 'false';
    return (
        <div className='auth-page'>
            <main className='card'>
                <h1 className='brand'>Teams</h1>
                {error && <p className='error' role='alert'>{error}</p>}
                {Object.values(myTeams).length > 0 && (
                    <>
                        <h2>Your teams</h2>
                        <ul className='plain-list'>
                            {Object.values(myTeams).map((t) => (
                                <li key={t.id}><button className='btn btn-link' onClick={() => navigate(`/${t.name}/channels/town-square`)}>{t.display_name}</button></li>
                            ))}
                        </ul>
                    </>
                )}
                {joinable.length > 0 && (
                    <>
                        <h2>Teams you can join</h2>
                        <ul className='plain-list'>
                            {joinable.map((t) => (
                                <li key={t.id} className='row-between'>
                                    <span>{t.display_name}</span>
                                    <button className='btn' onClick={async () => {
                                        try {
                                            await client.addToTeam(t.id, me.id);
                                            await startSession(getState().me!);
                                            navigate(`/${t.name}/channels/town-square`);
                                        } catch (e) {
                                            setError(errorMessage(e));
                                        }
                                    }}>Join</button>
                                </li>
                            ))}
                        </ul>
                    </>
                )}
                {teams !== null && joinable.length === 0 && Object.values(myTeams).length === 0 && (
                    <p className='muted'>You are not on a team yet. Ask for an invite link, or create a team.</p>
                )}
                {canCreate && <TeamStep title='Create a team'/>}
                <p className='center'><button className='btn btn-link' onClick={() => logout()}>Sign out</button></p>
            </main>
        </div>
    );
}
