// Staff & roles (员工与角色): who works in the shop, with which role, and what each role may do.
import type { components } from "@shared/api-types";
import { http } from "@shared/request";
import { useSessionStore } from "../stores/session";

type S = components["schemas"];
export type StaffMember = S["StaffOut"];
export type StaffInput = S["StaffIn"];
export type Role = S["RoleOut"];

const path = (rest: string) => useSessionStore().consolePath(rest);

export const getStaffApi = () => http.get<StaffMember[]>(path("staff"));
export const addStaffApi = (body: StaffInput) => http.post<StaffMember>(path("staff"), body);
export const updateStaffApi = (id: number, body: S["StaffPatch"]) => http.patch<StaffMember>(path(`staff/${id}`), body);
export const getRolesApi = () => http.get<Role[]>(path("roles"));
export const getPermissionsApi = () => http.get<Record<string, string>>(path("permissions"));
