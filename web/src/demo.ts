import { useEffect, useState } from 'react';
import { api } from './api/client';
import type { Answer } from './api/types';

export type DemoActor = Answer<'/demo/actors'>[number];

let demoLoad: Promise<DemoActor[] | null> | null = null;

/** The demo actors of a development system, or null in a deployment (the API has no such route there). */
export function loadDemoActors(): Promise<DemoActor[] | null> {
  demoLoad ??= api.GET('/demo/actors').then(
    ({ data, response }) => (response.ok && data ? data : null),
    () => null,
  );
  return demoLoad;
}

/** undefined while asking; null in a deployment. */
export function useDemoActors(): DemoActor[] | null | undefined {
  const [actors, setActors] = useState<DemoActor[] | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void loadDemoActors().then((loaded) => live && setActors(loaded));
    return () => {
      live = false;
    };
  }, []);
  return actors;
}
