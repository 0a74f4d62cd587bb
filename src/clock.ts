/** The source of "now", passed in so that tests can freeze or move time. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
