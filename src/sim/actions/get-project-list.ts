import type { SimAction } from '../action.js';

/** GetProjectList: no params; how callers discover the ProjectId to send. */
export const getProjectList: SimAction = {
  name: 'GetProjectList',
  scope: 'account',
  handle({ state }) {
    return {
      ProjectCount: state.projects.length,
      ProjectSet: state.projects.map((project) => ({
        ProjectId: project.projectId,
        ProjectName: project.projectName,
        IsDefault: project.isDefault,
      })),
    };
  },
};
