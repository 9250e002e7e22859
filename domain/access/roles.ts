/**
 * What a member of an organisation may do, from most to least: owners manage everything including other owners,
 * admins manage members and settings, members read. The database enum, the settings form and the checks all read
 * this list.
 */
export const MEMBER_ROLES = ["owner", "admin", "member"] as const;

export type MemberRole = (typeof MEMBER_ROLES)[number];
