// Routes reach the membership use-cases through this module.
export { changeMemberRole, listMembers, removeMember, restoreMember } from "../../infrastructure/auth/members.ts";
