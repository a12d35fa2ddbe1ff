import { z } from 'zod';
import type { CompshareClient } from '../client.js';
import { parseResponse, wireBool } from './wire.js';

export interface Project {
  projectId: string;
  projectName: string;
  isDefault: boolean;
}

const responseSchema = z.object({
  ProjectSet: z
    .array(
      z.object({
        ProjectId: z.string().min(1),
        ProjectName: z.string().optional().default(''),
        IsDefault: wireBool.optional().default(false),
      }),
    )
    .optional()
    .default([]),
});

/** GetProjectList: the account's projects. It is the one action sent without a ProjectId. */
export async function getProjectList(
  client: CompshareClient,
): Promise<{ projects: Project[]; requestUuid: string | undefined }> {
  const action = 'GetProjectList';
  const response = await client.call(action, {}, { withProject: false });
  const projects = parseResponse(action, responseSchema, response).ProjectSet.map((project) => ({
    projectId: project.ProjectId,
    projectName: project.ProjectName,
    isDefault: project.IsDefault,
  }));
  return { projects, requestUuid: response.requestUuid };
}
